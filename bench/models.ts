// Training and scoring: logistic regression and the brain.js network on Telco (7,043 rows) and on
// a generated 100,000 x 20 table (the target depends on two columns plus noise). Scoring throughput is set against reading the same rows from
// Parquet into JavaScript in the same process (the floor any scorer pays).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { models, openSqliteStore } from "../db/store";
import { projectRoot } from "../lib/paths";
import { loadRegistry } from "../nodes/registry";
import type { DatasetRef, ModelRef } from "../nodes/sdk/types";
import { createNodeContext } from "../workflows/activities/context";
import { executeNode } from "../workflows/activities/execute-node";
import { fmt, median, timed, withConnectionIn } from "./stats";

const silent = { info() {}, warn() {}, error() {} };
const ROUNDS = 3;

export async function modelsBench(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-models-"));
  const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  const registry = await loadRegistry();
  const ctx = (id: string) => createNodeContext({ dataDir: dir, sharedDir: dir, store, runId: "bench", nodeId: id, log: silent });
  const run = async (type: string, config: unknown, inputs: Record<string, DatasetRef | ModelRef> = {}) => (await executeNode(registry.get(type, 1)!, config, inputs, ctx(type))).outputs;

  try {
    const telco = (await run("source.csv-file", { path: path.join(projectRoot, "examples", "data", "telco-customer-churn.csv") })).rows as DatasetRef;
    const generated = await ctx("gen").datasets.create(
      `SELECT ${Array.from({ length: 20 }, (_, i) => (i < 16 ? `(hash(range * ${i + 3}) % 10000) / 1000.0 AS x${i}` : `(['a','b','c','d','e'])[1 + (hash(range * ${i + 7}) % 5)::INT] AS c${i}`)).join(", ")},
              CASE WHEN (hash(range * 3) % 10000) / 1000.0 + (hash(range * 4) % 10000) / 2000.0 + (hash(range * 101) % 10000) / 1250.0 > 11.5 THEN 'Yes' ELSE 'No' END AS target
       FROM range(100000)`,
    );
    const tables = [
      { name: "Telco 7,043 x 20", ref: telco, target: "Churn", exclude: ["customerID"] },
      { name: "generated 100,000 x 20", ref: generated, target: "target", exclude: [] as string[] },
    ];
    console.log(`models: training and scoring, median of ${ROUNDS}`);
    for (const t of tables) {
      const scan: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        scan.push((await timed(() => withConnectionIn(dir, async (c) => (await c.runAndReadAll(`SELECT * FROM ${ctx("q").datasets.from(t.ref)}`)).getRowObjectsJS().length)))[0]);
      }
      const scanRate = t.ref.rows / (median(scan) / 1000);
      for (const algorithm of ["logistic", "neural"] as const) {
        const train: number[] = [];
        const score: number[] = [];
        let auc = NaN;
        for (let r = 0; r < ROUNDS; r++) {
          const [ms, out] = await timed(() => run("model.train-classifier", { target: t.target, exclude: t.exclude, algorithm, modelName: `bench-${algorithm}` }, { rows: t.ref }));
          train.push(ms);
          const model = out.model as ModelRef;
          auc = (await models.byId(store, model.id)).metrics.rocAuc as number;
          score.push((await timed(() => run("model.score", {}, { rows: t.ref, model })))[0]);
        }
        const rate = t.ref.rows / (median(score) / 1000);
        console.log(
          `  ${t.name.padEnd(24)} ${algorithm.padEnd(8)} train ${fmt(median(train) / 1000, 2)} s (held-out ROC AUC ${fmt(auc, 3)}); ` +
            `score ${fmt(rate / 1000, 0)} k rows/s, ${fmt(scanRate / rate, 2)}x the time of reading the rows (${fmt(scanRate / 1000, 0)} k rows/s)`,
        );
      }
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
