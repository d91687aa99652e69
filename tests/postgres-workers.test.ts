// Workers on "other machines": the control plane on a real PostgreSQL, two worker processes with
// separate working and data directories, each given only DATABASE_URL, the Temporal address and
// the shared folder. The Telco run spreads over both; one is killed with SIGKILL in the middle of a
// node; the run still completes, writing every customer exactly once.
import { Client, Connection } from "@temporalio/client";
import Database from "better-sqlite3";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { datasets, models, openStore, runs, type Store } from "../db/store";
import { startPostgres, type PostgresTestServer } from "../lib/postgres-test-server";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { exportedFile, telcoFlow } from "./flows";
import { startWorker, type WorkerProcess } from "./support";

const QUEUE = "postgres-workers";

let pgServer: PostgresTestServer;
let store: Store;
let shared: string;
const homes: string[] = [];
const workers: WorkerProcess[] = [];

/** Only what a worker on another machine would be given (plus PATH and HOME to run at all). */
function workerEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: pgServer.url,
    TEMPORAL_ADDRESS: inject("temporalAddress"),
    LOOPWRIGHT_SHARED_DIR: shared,
    LOOPWRIGHT_DATA_DIR: home,
    LOOPWRIGHT_TASK_QUEUE: QUEUE,
    NODE_ENV: "production",
  };
}

beforeAll(async () => {
  pgServer = await startPostgres();
  store = await openStore({ url: pgServer.url });
  shared = mkdtempSync(path.join(os.tmpdir(), "loopwright-shared-"));
  for (const name of ["a", "b"]) {
    const home = mkdtempSync(path.join(os.tmpdir(), `loopwright-worker-${name}-`));
    homes.push(home);
    workers.push(await startWorker(workerEnv(home), home));
  }
}, 240_000);

afterAll(async () => {
  for (const w of workers) await w.stop("SIGKILL");
  await store?.close();
  await pgServer?.stop();
  for (const dir of [shared, ...homes]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("workers on PostgreSQL with a shared folder", () => {
  it("spread a run over two workers and finish it after one is killed mid-node", async () => {
    const settings = temporalSettings({ ...process.env, TEMPORAL_ADDRESS: inject("temporalAddress"), LOOPWRIGHT_TASK_QUEUE: QUEUE });
    const crm = exportedFile("crm.sqlite", shared);
    const flow = telcoFlow({ crm, id: "telco-postgres" });
    // A short heartbeat timeout on the node that gets killed, so the server notices within seconds.
    flow.nodes.find((n: { id: string }) => n.id === "train").options = { heartbeatTimeout: "4 seconds" };
    const registry = await loadRegistry();
    const saved = await saveFlowVersion(store, registry, flow, { flowId: flow.id });
    const [a, b] = workers as [WorkerProcess, WorkerProcess];
    expect(a.identity).not.toBe(b.identity);

    const connection = await Connection.connect({ address: settings.address });
    try {
      const client = new Client({ connection, namespace: settings.namespace });
      const started = await startRun(store, registry, client, settings, { versionId: saved.versionId });
      // Who ran what, as the workers reported it to PostgreSQL while the run went on.
      const seen = new Set<string>();
      let killed: WorkerProcess | undefined;
      const deadline = Date.now() + 180_000;
      for (;;) {
        const { run, nodes } = await runs.get(store, started.runId);
        for (const n of nodes) if (n.worker) seen.add(n.worker);
        const train = nodes.find((n) => n.nodeId === "train")!;
        if (!killed && train.status === "running" && train.worker) {
          killed = workers.find((w) => w.identity === train.worker)!;
          expect(killed, `train runs on ${train.worker}, not one of our workers`).toBeDefined();
          await killed.stop("SIGKILL");
          expect(killed.proc.signalCode).toBe("SIGKILL");
        }
        if (run.status === "succeeded" || run.status === "failed" || run.status === "cancelled") break;
        if (Date.now() > deadline) throw new Error(`the run did not finish:\n${a.output()}\n${b.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(killed, "train was never seen running").toBeDefined();
      const survivor = workers.find((w) => w !== killed)!;

      const { run, nodes } = await runs.get(store, started.runId);
      expect(run.status).toBe("succeeded");
      expect(nodes.every((n) => n.status === "succeeded")).toBe(true);
      // Both workers ran nodes of this run; the node killed mid-way finished on the survivor.
      expect([...seen].sort()).toEqual([a.identity, b.identity].sort());
      const train = nodes.find((n) => n.nodeId === "train")!;
      expect(train.worker).toBe(survivor.identity);
      expect(train.attempt).toBeGreaterThanOrEqual(2);

      // 7,043 customers written exactly once, recorded as one write.
      const sor = new Database(crm, { readonly: true });
      const counts = sor.prepare("SELECT count(*) AS n, count(DISTINCT customerID) AS d FROM churn_scores").get();
      const writes = sor.prepare("SELECT count(*) AS n FROM _loopwright_writes").get();
      sor.close();
      expect(counts).toEqual({ n: 7043, d: 7043 });
      expect(writes).toEqual({ n: 1 });

      // Datasets and the model artifact are files in the shared folder; PostgreSQL holds their records.
      const tables = nodes.flatMap((n) => Object.values(n.outputs ?? {})).filter((o) => (o as { kind?: string }).kind === "table") as { id: string; path: string }[];
      expect(tables.length).toBeGreaterThanOrEqual(3); // customers, unique, scored
      for (const t of tables) {
        expect((await datasets.get(store, t.id)).path).toBe(t.path);
        expect(existsSync(path.join(shared, t.path)), t.path).toBe(true);
      }
      const model = (await models.list(store)).find((m) => m.runId === started.runId)!;
      const artifact = (await models.byId(store, model.id)).artifactPath!;
      expect(existsSync(path.join(shared, artifact))).toBe(true);
      // The workers never made a control-plane database of their own.
      for (const home of homes) expect(readdirSync(home).filter((f) => f.endsWith(".sqlite"))).toEqual([]);
    } finally {
      await connection.close();
    }
  });
});
