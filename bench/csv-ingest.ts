// CSV ingest through the source.csv-file node (DuckDB read_csv -> Parquet -> content address ->
// metadata) against raw DuckDB doing the same read and Parquet write, on the same file.
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { openSqliteStore } from "../db/store";
import { sqlLiteral } from "../db/duckdb";
import csvFile from "../nodes/source/csv-file.node.ts";
import { createNodeContext } from "../workflows/activities/context";
import { executeNode } from "../workflows/activities/execute-node";
import { datasetFile } from "../tests/harness";
import { fmt, median, timed, withConnectionIn } from "./stats";

const COPIES = 10;
const ROUNDS = 6;

/** Hillstrom (64,000 rows, quoted commas) repeated COPIES times under one header. */
async function bigCsv(dir: string): Promise<{ file: string; rows: number }> {
  const src = datasetFile("hillstrom-email.csv");
  const file = path.join(dir, "hillstrom-x10.csv");
  const out = createWriteStream(file);
  for (let i = 0; i < COPIES; i++) {
    let first = true;
    for await (const chunk of createReadStream(src, { encoding: "utf8" })) {
      let text = chunk as string;
      if (first && i > 0) text = text.slice(text.indexOf("\n") + 1);
      first = false;
      if (!out.write(text)) await once(out, "drain");
    }
  }
  out.end();
  await once(out, "finish");
  return { file, rows: 64_000 * COPIES };
}

export async function csvIngestBench(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-"));
  try {
    const { file, rows } = await bigCsv(dir);
    const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
    const silent = { info() {}, warn() {}, error() {} };
    const node: number[] = [];
    const raw: number[] = [];
    const runRaw = async (i: number) => {
      const [t] = await timed(() =>
        withConnectionIn(dir, (c) => c.run(`COPY (SELECT * FROM read_csv(${sqlLiteral(file)})) TO ${sqlLiteral(path.join(dir, `raw-${i}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`)),
      );
      raw.push(t);
    };
    const runNode = async (i: number) => {
      const ctx = createNodeContext({ dataDir: dir, sharedDir: dir, store, runId: `bench-${i}`, nodeId: "csv", log: silent });
      const [t, res] = await timed(() => executeNode(csvFile, { path: file }, {}, ctx));
      if ((res.outputs.rows as { rows: number }).rows !== rows) throw new Error("row count mismatch");
      node.push(t);
    };
    // Alternate which goes first, so neither always meets a warmer cache.
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2) await runNode(i).then(() => runRaw(i));
      else await runRaw(i).then(() => runNode(i));
    }
    const rawRate = rows / (median(raw) / 1000);
    const nodeRate = rows / (median(node) / 1000);
    console.log(`\nCSV ingest: ${rows.toLocaleString("en-US")} rows (Hillstrom x${COPIES}), median of ${ROUNDS}`);
    console.log(`  raw DuckDB read_csv -> Parquet   ${fmt(median(raw), 0)} ms   ${fmt(rawRate, 0)} rows/s`);
    console.log(`  source.csv-file node             ${fmt(median(node), 0)} ms   ${fmt(nodeRate, 0)} rows/s`);
    console.log(`  ratio node / raw (rows/s)        ${fmt(nodeRate / rawRate, 2)}`);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
