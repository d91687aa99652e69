// Downloads of a run's dataset: the body streamed from DuckDB's file (no temporary file left
// behind), CSV with a byte order mark and neutralised text, the stored Parquet file as it is, and
// a Content-Disposition every browser reads.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParquetDatasetStore } from "../../db/dataset-store";
import { openSqliteStore, type Store } from "../../db/store";
import { viewSpecSchema } from "../../lib/dataset-view";
import { attachment, datasetDownload, runDataset } from "./dataset-downloads";

let dir: string;
let db: Store;
let id: string;
const savedDataDir = process.env.LOOPWRIGHT_DATA_DIR;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-download-"));
  process.env.LOOPWRIGHT_DATA_DIR = dir;
  db = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  const ref = await new ParquetDatasetStore(dir, db, { runId: "run_d", nodeId: "score" }).create(
    "SELECT * FROM (VALUES ('C1', '=1+1', -2, 0.25), ('C2', '-2', 5, 0.75)) t(customerID, note, delta, churn_score)",
  );
  id = ref.id;
});

afterAll(async () => {
  if (savedDataDir === undefined) delete process.env.LOOPWRIGHT_DATA_DIR;
  else process.env.LOOPWRIGHT_DATA_DIR = savedDataDir;
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const bytes = async (body: ReadableStream<Uint8Array>) => Buffer.from(await new Response(body).arrayBuffer());
const scratch = () => readdirSync(path.join(dir, "datasets")).filter((f) => f.startsWith(".tmp-"));

describe("dataset downloads", () => {
  it("streams the whole dataset as CSV, with a byte order mark, named after the node", async () => {
    const d = await datasetDownload(await runDataset(db, id), "csv", undefined);
    expect(d.fileName).toBe("score.csv");
    expect(d.contentType).toBe("text/csv; charset=utf-8");
    const body = await bytes(d.body);
    expect(body.length).toBe(d.bytes);
    expect(body.toString("utf8")).toBe("\uFEFFcustomerID,note,delta,churn_score\nC1,'=1+1,-2,0.25\nC2,'-2,5,0.75\n");
    expect(scratch()).toEqual([]); // the temporary file went as soon as it was opened
  });

  it("streams the view's rows in its order, and says so in the file name", async () => {
    const spec = viewSpecSchema.parse({ sort: { column: "churn_score", direction: "desc" }, filters: [{ column: "delta", op: ">", value: 0 }] });
    const d = await datasetDownload(await runDataset(db, id), "csv", spec, "Telco churn · score");
    expect(d.fileName).toBe("Telco-churn-score-view.csv");
    expect((await bytes(d.body)).toString("utf8")).toBe("\uFEFFcustomerID,churn_score,note,delta\nC2,0.75,'-2,5\n");
  });

  it("hands over the stored Parquet file itself for the whole dataset, and a new one for a view", async () => {
    const dataset = await runDataset(db, id);
    const whole = await datasetDownload(dataset, "parquet", undefined);
    expect(whole.contentType).toBe("application/vnd.apache.parquet");
    expect((await bytes(whole.body)).equals(readFileSync(dataset.data.absolutePath(dataset.ref)))).toBe(true);
    const view = await datasetDownload(dataset, "parquet", viewSpecSchema.parse({ search: "c2" }), "score");
    const body = await bytes(view.body);
    expect(body.subarray(0, 4).toString()).toBe("PAR1");
    expect(view.fileName).toBe("score-view.parquet");
    expect(scratch()).toEqual([]);
  });

  it("refuses unknown datasets by id", async () => {
    await expect(runDataset(db, "ds_nope")).rejects.toThrow('No dataset "ds_nope"');
    await expect(runDataset(db, "../etc/passwd")).rejects.toThrow('No dataset with id "../etc/passwd"');
  });

  it("names the attachment in ASCII and in UTF-8", () => {
    expect(attachment("score.csv")).toBe(`attachment; filename="score.csv"; filename*=UTF-8''score.csv`);
    expect(attachment("scöre.csv")).toBe(`attachment; filename="sc_re.csv"; filename*=UTF-8''sc%C3%B6re.csv`);
  });
});
