// Orchestration overhead: a chain of 20 pass-through nodes through a real Temporal dev server and
// worker, total time / 20, median of several runs; against calling the same 20 nodes in-process.
import { Client, Connection } from "@temporalio/client";
import { DefaultLogger, NativeConnection, Runtime, Worker } from "@temporalio/worker";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openSqliteStore } from "../db/store";
import { ensureNamespace, freePort, startDevServer, temporalBinary } from "../lib/dev-server";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import type { ValueRef } from "../nodes/sdk/types";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { createActivities } from "../workflows/activities/run-node";
import { createNodeContext } from "../workflows/activities/context";
import { executeNode } from "../workflows/activities/execute-node";
import { fmt, median, timed } from "./stats";

const CHAIN = 20;
const ROUNDS = 7;

function chainFlow() {
  const nodes = Array.from({ length: CHAIN }, (_, i) => ({ id: `n${i}`, type: "control.passthrough@1", config: {} }));
  const edges = nodes.slice(1).map((n, i) => ({ source: `n${i}`, sourceHandle: "rows", target: n.id, targetHandle: "rows" }));
  return { id: "bench-chain", name: "Bench chain", nodes, edges };
}

export async function orchestrationBench(): Promise<void> {
  // Keep the worker's bundling chatter out of the figures.
  Runtime.install({ logger: new DefaultLogger("WARN") });
  const binary = temporalBinary();
  if (!binary) throw new Error("No Temporal CLI: run through `npm run bench`, which installs it");
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-"));
  const server = await startDevServer({ binary, port: await freePort() });
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, LOOPWRIGHT_TASK_QUEUE: "bench" };
  const settings = temporalSettings(env);
  await ensureNamespace(settings);
  const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  const registry = await loadRegistry();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: settings.taskQueue,
    workflowsPath: fileURLToPath(new URL("../workflows/run-flow.ts", import.meta.url)),
    activities: createActivities({ store, dataDir: dir, sharedDir: dir, registry, identity: "bench" }),
    maxHeartbeatThrottleInterval: "2 seconds",
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    const saved = await saveFlowVersion(store, registry, chainFlow(), { flowId: "bench-chain" });
    const runOnce = async () => {
      const started = await startRun(store, registry, client, settings, { versionId: saved.versionId, triggerKind: "bench" });
      await client.workflow.getHandle(started.workflowId).result();
    };
    await runOnce(); // warm-up: workflow bundle, caches
    const temporalTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) temporalTimes.push((await timed(runOnce))[0]);

    const silent = { info() {}, warn() {}, error() {} };
    const def = registry.get("control.passthrough", 1)!;
    const direct = async () => {
      let input: Record<string, ValueRef> = {};
      for (let i = 0; i < CHAIN; i++) {
        const ctx = createNodeContext({ dataDir: dir, sharedDir: dir, store, runId: "direct", nodeId: `n${i}`, log: silent });
        const res = await executeNode(def, {}, input, ctx);
        input = { rows: res.outputs.rows as ValueRef };
      }
    };
    await direct();
    const directTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) directTimes.push((await timed(direct))[0]);

    const perNode = median(temporalTimes) / CHAIN;
    const perNodeDirect = median(directTimes) / CHAIN;
    console.log(`\nOrchestration: chain of ${CHAIN} pass-through nodes, median of ${ROUNDS} runs`);
    console.log(`  through Temporal (workflow + activity per node + SQLite status)  ${fmt(median(temporalTimes), 0)} ms total, ${fmt(perNode)} ms per node`);
    console.log(`  same nodes called in-process (no Temporal)                      ${fmt(median(directTimes), 0)} ms total, ${fmt(perNodeDirect, 2)} ms per node`);
    console.log(`  overhead per node from orchestration                            ${fmt(perNode - perNodeDirect)} ms`);
  } finally {
    await connection.close();
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await server.stop();
    await store.close();
    if (!process.env.LOOPWRIGHT_KEEP_BENCH_DATA) rmSync(dir, { recursive: true, force: true });
    else console.log(`  data kept in ${dir}`);
  }
}
