// Kill -9 of each process while events flow: the ingest process, the worker (with its inbox pump)
// and the Temporal server, one at a time, on a stack of its own (a file-backed Temporal dev server,
// a worker, an ingest process, a store). Nothing accepted is lost and nothing runs twice: every
// event is in exactly one cohort, every cohort is exactly one run, and the runs' trigger outputs
// hold every event once.
import { Analytics } from "@segment/analytics-node";
import { DuckDBInstance } from "@duckdb/node-api";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { events, openSqliteStore, runs, triggers, type Store } from "../db/store";
import { ensureNamespace, freePort, startDevServer, temporalBinary, type DevServer } from "../lib/dev-server";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { asRole } from "../server/api/routers/test-support";
import { saveFlowVersion } from "../server/services/flows";
import { createSource } from "../server/services/sources";
import { applyTrigger } from "../server/services/triggers";
import { startIngest, startWorker, type IngestProcess, type WorkerProcess } from "./support-process";

const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-crash-"));
let server: DevServer | undefined;
let worker: WorkerProcess | undefined;
let ingest: IngestProcess | undefined;
let store: Store | undefined;

afterAll(async () => {
  await ingest?.stop("SIGKILL");
  await worker?.stop("SIGKILL");
  await server?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nworker:\n${worker?.output().slice(-3000)}`);
    await sleep(250);
  }
}

describe("kill -9 while events flow", () => {
  it("loses no accepted event and runs no cohort twice when the ingest process, the worker and Temporal are killed in turn", async () => {
    const binary = temporalBinary();
    if (!binary) throw new Error("No Temporal CLI: set TEMPORAL_CLI_PATH or run through npm test");
    const port = await freePort();
    const dbFile = path.join(dir, "temporal", "temporal.db");
    const startTemporal = () => startDevServer({ binary, port, dbFile, logFile: path.join(dir, "logs", "temporal.log") });
    server = await startTemporal();
    const env = { ...process.env, TEMPORAL_ADDRESS: server.address, LOOPWRIGHT_DATA_DIR: dir, LOOPWRIGHT_TASK_QUEUE: "crash" };
    await ensureNamespace(temporalSettings(env));
    store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
    const registry = await loadRegistry();

    const { writeKey, id: sourceId } = await createSource(store, asRole("admin"), { name: "crash-test" });
    const graph = {
      id: "pings",
      name: "Pings",
      nodes: [
        { id: "ping", type: "trigger.event@1", position: { x: 0, y: 0 }, config: { event: "Ping", cohortSeconds: 0.5, cohortSize: 300 } },
        { id: "pass", type: "control.passthrough@1", position: { x: 200, y: 0 }, config: {} },
      ],
      edges: [{ source: "ping", sourceHandle: "events", target: "pass", targetHandle: "rows" }],
    };
    const saved = await saveFlowVersion(store, registry, graph, { flowId: graph.id });
    await applyTrigger(store, registry, null, saved, graph as never);

    worker = await startWorker(env);
    const ingestPort = await freePort();
    ingest = await startIngest(env, ingestPort);

    // About 300 events a second for 15 seconds, from Segment's library, which retries what was not answered.
    const analytics = new Analytics({ writeKey, host: ingest.url, flushAt: 30, flushInterval: 50, maxRetries: 1000 });
    const total = 4_500;
    const kills: Record<number, () => Promise<void>> = {
      30: async () => {
        await ingest!.stop("SIGKILL");
        ingest = await startIngest(env, ingestPort);
      },
      70: async () => {
        await worker!.stop("SIGKILL");
        await sleep(500);
        worker = await startWorker(env);
      },
      110: async () => {
        server!.process.kill("SIGKILL");
        await new Promise((r) => server!.process.once("exit", r));
        await sleep(1000);
        server = await startTemporal();
      },
    };
    const restarts: Promise<void>[] = [];
    for (let tick = 0; tick < total / 30; tick++) {
      for (let i = 0; i < 30; i++) {
        const n = tick * 30 + i;
        analytics.track({ anonymousId: `a${n % 97}`, event: "Ping", properties: { n }, messageId: `p-${n}` });
      }
      const kill = kills[tick];
      if (kill) restarts.push(kill()); // the sender keeps sending while the process is down and coming back
      await sleep(100);
    }
    await Promise.all(restarts);
    await analytics.closeAndFlush({ timeout: 120_000 });

    const inbox = (await events.readInbox(store, 0, 100_000)).filter((r) => r.sourceId === sourceId);
    expect(inbox.length).toBe(total);
    expect(new Set(inbox.map((r) => r.messageId)).size).toBe(total);

    const cohorts = await until(
      "every event in a started cohort",
      async () => {
        const list = await triggers.cohortsOf(store!, graph.id);
        return list.reduce((n, c) => n + c.size, 0) >= total && list.every((c) => c.startedAt !== null) ? list : undefined;
      },
      180_000,
    );
    const positions = cohorts.flatMap((c) => c.members as number[]);
    expect(positions.length).toBe(total);
    expect(new Set(positions)).toEqual(new Set(inbox.map((r) => r.position)));

    const flowRuns = await until(
      "every cohort's run to finish",
      async () => {
        const list = await runs.list(store!, { flowId: graph.id, limit: 10_000 });
        return list.length >= cohorts.length && list.every((r) => r.status === "succeeded") ? list : undefined;
      },
      180_000,
    );
    expect(flowRuns.length).toBe(cohorts.length);
    expect(new Set(flowRuns.map((r) => r.id))).toEqual(new Set(cohorts.map((c) => c.id)));

    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    try {
      const files: string[] = [];
      for (const r of flowRuns) {
        const out = (await runs.node(store, r.id, "ping")).outputs as Record<string, { path: string }>;
        files.push(path.join(dir, out.events!.path).replace(/'/g, "''"));
      }
      const result = await c.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT message_id) AS d FROM read_parquet([${files.map((f) => `'${f}'`).join(", ")}])`);
      expect(result.getRowObjectsJS()).toEqual([{ n: BigInt(total), d: BigInt(total) }]);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  }, 600_000);
});
