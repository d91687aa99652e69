// Control-plane write throughput: node status updates per second (what workers write while runs
// go on) through the store, on SQLite and on PostgreSQL, one writer and eight at once (a worker's
// activity slots); against the same UPDATE through the raw driver in the same run.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { flows, openStore, runs, type Store } from "../db/store";
import { startPostgres } from "../lib/postgres-test-server";
import { fmt } from "./stats";

const UPDATES = 4_000;
const NODES = 8;

async function prepare(store: Store): Promise<void> {
  await flows.saveVersion(store, { name: "Bench store", nodes: [], edges: [] });
  const nodes = Array.from({ length: NODES }, (_, i) => ({ id: `n${i}`, type: "control.passthrough@1" }));
  await runs.create(store, { runId: "bench", flowId: "bench-store", flowVersionId: "bench-store@1", flowVersion: 1, triggerKind: "bench", workflowId: "w", temporalUrl: "u", nodes });
}

/** Updates per second with `writers` concurrent loops sharing `UPDATES` updates. */
async function rate(writers: number, update: (node: string, i: number) => Promise<unknown>): Promise<number> {
  const per = Math.floor(UPDATES / writers);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < per; i++) await update(`n${w % NODES}`, i);
    }),
  );
  return (per * writers) / ((performance.now() - t0) / 1000);
}

const progress = (i: number) => ({ fraction: (i % 100) / 100, message: `step ${i}` });

export async function storeBench(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-store-"));
  const server = await startPostgres();
  const rows: string[][] = [];
  try {
    const file = path.join(dir, "loopwright.sqlite");
    const sqlite = await openStore({ sqliteFile: file });
    await prepare(sqlite);
    const raw = new Database(file);
    raw.pragma("journal_mode = WAL");
    raw.pragma("synchronous = NORMAL");
    const stmt = raw.prepare("UPDATE node_runs SET progress = ? WHERE run_id = 'bench' AND node_id = ?");
    const postgres = await openStore({ url: server.url });
    await prepare(postgres);
    const pool = new pg.Pool({ connectionString: server.url, max: 10 });

    for (const writers of [1, 8]) {
      const viaStore = await rate(writers, (node, i) => runs.updateNode(sqlite, "bench", node, { progress: progress(i) }));
      const direct = await rate(writers, async (node, i) => stmt.run(JSON.stringify(progress(i)), node));
      rows.push([`SQLite, ${writers} writer${writers > 1 ? "s" : ""}`, fmt(viaStore, 0), fmt(direct, 0), fmt(viaStore / direct, 2)]);
    }
    for (const writers of [1, 8]) {
      const viaStore = await rate(writers, (node, i) => runs.updateNode(postgres, "bench", node, { progress: progress(i) }));
      const direct = await rate(writers, (node, i) =>
        pool.query("UPDATE node_runs SET progress = $1 WHERE run_id = 'bench' AND node_id = $2", [JSON.stringify(progress(i)), node]),
      );
      rows.push([`PostgreSQL, ${writers} writer${writers > 1 ? "s" : ""}`, fmt(viaStore, 0), fmt(direct, 0), fmt(viaStore / direct, 2)]);
    }
    raw.close();
    await pool.end();
    await sqlite.close();
    await postgres.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nControl-plane writes: ${UPDATES} node status updates (progress JSON), per second`);
  console.log(["backend", "store", "raw driver", "store / raw"].join(" | "));
  for (const r of rows) console.log(r.join(" | "));
}
