import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { files } from "../../db/store";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, NotFoundError, type DatasetRef } from "../sdk";
import parquetFile from "./parquet-file.node.ts";

let h: Harness;
let dir: string;
let telcoParquet: string;
const telcoCsv = datasetFile("telco-customer-churn.csv");
// The Telco file has no quoted fields, so a plain split reads it (independently of DuckDB).
const telcoRows = readFileSync(telcoCsv, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));

beforeAll(async () => {
  h = harness();
  dir = path.join(h.dataDir, "parquet");
  mkdirSync(dir, { recursive: true });
  telcoParquet = path.join(dir, "telco.parquet");
  const ds = h.ctx("setup").datasets;
  await ds.query(`COPY (SELECT * FROM read_csv(${ds.literal(telcoCsv)})) TO ${ds.literal(telcoParquet)} (FORMAT parquet)`);
});
afterAll(() => h.close());

const read = (config: Record<string, unknown>) => h.run(parquetFile, config);

describe("source.parquet-file", () => {
  it("reads Telco written by DuckDB COPY, with its stored types", async () => {
    const res = await read({ path: telcoParquet });
    const ref = res.outputs.rows as DatasetRef;
    expect(ref.rows).toBe(7043);
    expect(ref.columns).toHaveLength(21);
    const typeOf = (n: string) => ref.columns.find((c) => c.name === n)?.type;
    expect([typeOf("customerID"), typeOf("tenure"), typeOf("MonthlyCharges"), typeOf("TotalCharges")]).toEqual(["VARCHAR", "BIGINT", "DOUBLE", "VARCHAR"]);
    const ds = h.ctx("q").datasets;
    const [got] = await ds.query<{ cents: number; churned: number }>(
      `SELECT round(sum(MonthlyCharges) * 100)::BIGINT AS cents, count(*) FILTER (WHERE Churn = 'Yes')::INTEGER AS churned FROM ${ds.from(ref)}`,
    );
    expect(got).toEqual({
      cents: Math.round(telcoRows.reduce((s, r) => s + Number(r[18]), 0) * 100),
      churned: telcoRows.filter((r) => r[20] === "Yes").length,
    });
    expect(res.metrics).toMatchObject({
      file: "telco.parquet",
      rows: 7043,
      columns: 21,
      lineage: { source: "telco.parquet", kind: "file", format: "parquet", rows: 7043, bytes: statSync(telcoParquet).size },
    });
  });

  it("says a CSV file is not Parquet, naming it", async () => {
    const fake = path.join(dir, "really-csv.parquet");
    copyFileSync(telcoCsv, fake);
    const err = await failure(read({ path: fake }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe('really-csv.parquet is not a Parquet file: it does not start and end with "PAR1"');
    expect(err.where).toBe("really-csv.parquet");
    const empty = path.join(dir, "empty.parquet");
    writeFileSync(empty, "");
    expect((await failure(read({ path: empty }))).message).toBe("empty.parquet is not a Parquet file: the file is empty");
  });

  it("reports a damaged Parquet file (right magic bytes, broken metadata) without a server path", async () => {
    const bytes = readFileSync(telcoParquet);
    // Keep "PAR1" at both ends, zero the footer length and metadata before it.
    const broken = Buffer.from(bytes);
    broken.fill(0, broken.length - 200, broken.length - 4);
    const file = path.join(dir, "damaged.parquet");
    writeFileSync(file, broken);
    const err = await failure(read({ path: file }));
    expect(err, err.message).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/^damaged\.parquet cannot be read as Parquet: /);
    expect(err.message).not.toContain(dir);
  });

  it("reads an uploaded file by id; wants one of path and fileId; names a missing file", async () => {
    mkdirSync(path.join(h.dataDir, "uploads"), { recursive: true });
    copyFileSync(telcoParquet, path.join(h.dataDir, "uploads", "p1.parquet"));
    await files.record(h.store, { id: "up_pq", name: "telco.parquet", path: "uploads/p1.parquet", bytes: 1, rows: null, columns: null, format: null });
    const res = await read({ fileId: "up_pq" });
    expect((res.metrics as { lineage: unknown }).lineage).toMatchObject({ source: "up_pq", format: "parquet", rows: 7043 });
    expect((await failure(read({}))).constructor).toBe(ConfigError);
    const missing = await failure(read({ path: path.join(dir, "nope.parquet") }));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.message).toBe("Parquet file not found: nope.parquet");
  });
});
