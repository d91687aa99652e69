// The data nodes on a generated 1,000,000-row customer table, each against DuckDB doing the same
// work by hand in the same process:
// - ingest: the CSV source against raw `read_csv` to Parquet;
// - chain: standardise -> dedupe -> join -> aggregate (four nodes, four Parquet files) against one
//   hand-written SQL statement;
// - peak memory (VmHWM) of this process while the chain runs: it does what a worker does.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openSqliteStore } from "../db/store";
import { loadRegistry } from "../nodes/registry";
import type { DatasetRef, NodeDefinition } from "../nodes/sdk/types";
import { createNodeContext } from "../workflows/activities/context";
import { executeNode } from "../workflows/activities/execute-node";
import { fmt, median, timed, withConnectionIn } from "./stats";

const ROWS = 1_000_000;
const ROUNDS = 3;

const silent = { info() {}, warn() {}, error() {} };

/** Peak resident memory of this process since the last reset (Linux), in MiB. */
function peakMiB(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function resetPeak(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5"); // 5: reset the peak RSS to the current RSS
    return true;
  } catch {
    return false;
  }
}

/** 1,000,000 customers, 5 % of them a second time with the e-mail in another case and padded. */
async function generate(dir: string): Promise<{ customers: string; regions: string }> {
  const customers = path.join(dir, "customers.csv");
  const regions = path.join(dir, "regions.csv");
  await withConnectionIn(dir, async (c) => {
    await c.run(`COPY (
      WITH base AS (
        SELECT i AS customer_id,
               'Customer ' || i AS name,
               'user' || (CASE WHEN i % 20 = 0 THEN i - 1 ELSE i END) || '@Example.com' AS email,
               (['GB','US','DE','FR','NL','SE','ES','IT','PL','IE'])[1 + (hash(i) % 10)::INT] AS country,
               round((hash(i * 7) % 100000) / 100.0, 2) AS amount
        FROM range(1, ${ROWS + 1}) t(i)
      )
      SELECT customer_id,
             CASE WHEN customer_id % 3 = 0 THEN '  ' || upper(name) || ' ' ELSE name END AS name,
             CASE WHEN customer_id % 20 = 0 THEN '  ' || upper(email) ELSE email END AS email,
             country, amount
      FROM base
    ) TO '${customers}' (HEADER, DELIMITER ',')`);
    await c.run(`COPY (SELECT * FROM (VALUES ('GB','Europe North'),('IE','Europe North'),('SE','Europe North'),('NL','Europe West'),('DE','Europe West'),('FR','Europe West'),('ES','Europe South'),('IT','Europe South'),('PL','Europe East'),('US','Americas')) t(country, region)) TO '${regions}' (HEADER)`);
  });
  return { customers, regions };
}

export async function dataChainBench(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-data-"));
  process.env.LOOPWRIGHT_FILE_ROOTS = dir; // the generated files live outside the project
  const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  const registry = await loadRegistry();
  const node = (type: string): NodeDefinition => registry.get(type, 1)!;
  const ctx = (id: string) => createNodeContext({ dataDir: dir, sharedDir: dir, store, runId: "bench", nodeId: id, log: silent });
  const run = async (type: string, config: unknown, inputs: Record<string, DatasetRef> = {}) =>
    (await executeNode(node(type), config, inputs, ctx(type))).outputs;

  try {
    const { customers, regions } = await generate(dir);
    const mb = statSync(customers).size / 1024 / 1024;
    console.log(`data: ${ROWS.toLocaleString("en-US")} generated customers (${fmt(mb)} MB CSV), median of ${ROUNDS}, order alternated`);

    // Ingest.
    const raw: number[] = [];
    const viaNode: number[] = [];
    let ingested: DatasetRef | undefined;
    for (let r = 0; r < ROUNDS; r++) {
      const rawOnce = async () => {
        const out = path.join(dir, `raw-${r}.parquet`);
        const [ms] = await timed(() => withConnectionIn(dir, (c) => c.run(`COPY (SELECT * FROM read_csv('${customers}')) TO '${out}' (FORMAT parquet)`)));
        raw.push(ms);
        rmSync(out, { force: true });
      };
      const nodeOnce = async () => {
        const [ms, outputs] = await timed(() => run("source.csv-file", { path: customers }));
        viaNode.push(ms);
        ingested = outputs.rows as DatasetRef;
      };
      if (r % 2) await nodeOnce().then(rawOnce);
      else await rawOnce().then(nodeOnce);
    }
    const rate = (ms: number) => ROWS / (ms / 1000) / 1e6;
    console.log(`  ingest: raw DuckDB read_csv -> Parquet ${fmt(rate(median(raw)), 2)} M rows/s; source.csv-file ${fmt(rate(median(viaNode)), 2)} M rows/s; ratio ${fmt(median(raw) / median(viaNode), 2)}`);

    // The chain, and the same work as one SQL statement.
    const regionRef = (await run("source.csv-file", { path: regions })).rows as DatasetRef;
    const steps: Record<string, number[]> = {};
    const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
      const [ms, out] = await timed(f);
      (steps[name] ??= []).push(ms);
      return out;
    };
    const chainOnce = async () => {
      const s = (await step("standardise", () => run("transform.standardise", { columns: [{ column: "email", operations: ["normalise email"] }, { column: "name", operations: ["trim", "title case"] }] }, { rows: ingested! }))).rows as DatasetRef;
      const d = (await step("dedupe", () => run("transform.dedupe", { keys: ["email"] }, { rows: s }))).rows as DatasetRef;
      const j = (await step("join", () => run("transform.join", { kind: "inner", keys: [{ left: "country", right: "country" }] }, { left: d, right: regionRef }))).rows as DatasetRef;
      return (await step("aggregate", () => run("transform.aggregate", { groupBy: ["region"], aggregations: [{ function: "count", as: "customers" }, { function: "sum", column: "amount", as: "revenue" }] }, { rows: j }))).rows as DatasetRef;
    };
    const parquetIn = path.join(dir, ingested!.path);
    const regionsIn = path.join(dir, regionRef.path);
    // The same work the nodes do, in the same words (their trim also strips tabs and no-break
    // spaces, their title case also capitalises after hyphens, dedupe keeps the input order), as
    // one statement without intermediate files.
    const ws = "[\\s\\x{A0}]";
    const trim = (x: string) => `regexp_replace(${x}, '^${ws}+|${ws}+$', '', 'g')`;
    const title = (x: string) => `array_to_string(list_transform(regexp_extract_all(lower(${x}), '[\\s\\x{A0}-]+|[^\\s\\x{A0}-]+'), lambda w: upper(w[1]) || w[2:]), '')`;
    const handOnce = () =>
      withConnectionIn(dir, (c) =>
        c.run(`COPY (
          WITH s AS (SELECT customer_id, ${title(trim("name"))} AS name, nullif(lower(${trim("email")}), '') AS email, country, amount, file_row_number AS pos
                     FROM read_parquet('${parquetIn}', file_row_number = true)),
               d AS (SELECT * FROM s QUALIFY row_number() OVER (PARTITION BY email ORDER BY pos) = 1),
               j AS (SELECT d.*, r.region FROM d JOIN read_parquet('${regionsIn}') r ON d.country = r.country)
          SELECT region, count(*) AS customers, sum(amount) AS revenue FROM j GROUP BY region ORDER BY region
        ) TO '${path.join(dir, "hand.parquet")}' (FORMAT parquet)`),
      );

    const hand: number[] = [];
    const nodes: number[] = [];
    let peak: number | null = null;
    let result: DatasetRef | undefined;
    for (let r = 0; r < ROUNDS; r++) {
      const n = async () => {
        const reset = resetPeak();
        const [ms, out] = await timed(chainOnce);
        nodes.push(ms);
        result = out;
        const p = reset ? peakMiB() : null;
        if (p !== null) peak = Math.max(peak ?? 0, p);
      };
      const h = async () => hand.push((await timed(handOnce))[0]);
      if (r % 2) await n().then(h);
      else await h().then(n);
    }
    const check = await withConnectionIn(dir, async (c) =>
      (await c.runAndReadAll(`SELECT (SELECT sum(customers) FROM read_parquet('${path.join(dir, result!.path)}')) AS a, (SELECT sum(customers) FROM read_parquet('${path.join(dir, "hand.parquet")}')) AS b`)).getRowObjectsJS(),
    );
    console.log(
      `  chain standardise -> dedupe -> join -> aggregate: hand-written SQL ${fmt(median(hand), 0)} ms; four nodes ${fmt(median(nodes), 0)} ms; ratio ${fmt(median(nodes) / median(hand), 2)} ` +
        `(same customers counted: ${String(check[0]!.a)} and ${String(check[0]!.b)})`,
    );
    console.log(`  per node (median): ${Object.entries(steps).map(([k, v]) => `${k} ${fmt(median(v), 0)} ms`).join(", ")}`);
    console.log(`  peak memory (VmHWM) of the process while the chain ran: ${peak === null ? "not measurable here" : `${fmt(peak, 0)} MiB`}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
