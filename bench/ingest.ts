// The ingest API under a bounded load on localhost, with the embedded defaults (SQLite store, one
// ingest process): accepted events per second and answer latency (p50/p99) for single-event calls
// and for batches of 100, each sustained for LOOPWRIGHT_BENCH_SECONDS (default 60), and the ingest
// process's peak memory. Every answer must be 200: a 429 or an error is counted and reported.
// Then event accepted -> run started latency at 500 events a second (eventToRunBench).
import autocannon from "autocannon";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { events, openSqliteStore, runs, triggers } from "../db/store";
import { ensureNamespace, freePort, startDevServer, temporalBinary } from "../lib/dev-server";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion } from "../server/services/flows";
import { applyTrigger } from "../server/services/triggers";
import { asRole } from "../server/api/routers/test-support";
import { createSource } from "../server/services/sources";
import { startIngest, startWorker, type IngestProcess, type WorkerProcess } from "../tests/support-process";
import { fmt, peakRssMb, percentile } from "./stats";

const SECONDS = Number(process.env.LOOPWRIGHT_BENCH_SECONDS) || 60;

export async function ingestBench(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-ingest-"));
  const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  const { writeKey } = await createSource(store, asRole("admin"), { name: "bench" });
  const port = await freePort();
  const ingest = await startIngest({ ...process.env, LOOPWRIGHT_DATA_DIR: dir }, port);
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`;
  let seq = 0;
  const single = () => JSON.stringify({ userId: `u${seq % 10_000}`, event: "Product Viewed", messageId: `s-${seq++}`, properties: { sku: "A-1", price: 19.9 } });
  const batch = () =>
    JSON.stringify({
      batch: Array.from({ length: 100 }, () => ({ type: "track", userId: `u${seq % 10_000}`, event: "Product Viewed", messageId: `b-${seq++}`, properties: { sku: "A-1", price: 19.9 } })),
    });
  const run = (p: string, body: () => string, connections: number) =>
    autocannon({
      url: `${ingest.url}${p}`,
      method: "POST",
      connections,
      duration: SECONDS,
      headers: { "content-type": "application/json", authorization: auth },
      requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
    });
  try {
    console.log(`\nIngest: ${SECONDS} s per mode, one ingest process, SQLite store, ${os.cpus().length} CPUs`);
    const before = await events.inboxCount(store);
    const s = await run("/v1/track", single, 16);
    const afterSingle = await events.inboxCount(store);
    const b = await run("/v1/batch", batch, 4);
    const afterBatch = await events.inboxCount(store);
    const row = (label: string, r: autocannon.Result, stored: number, perRequest: number) =>
      `  ${label.padEnd(22)} ${fmt(r.requests.average, 0).padStart(7)} req/s  ${fmt((r.requests.average * perRequest), 0).padStart(7)} events/s  ` +
      `p50 ${fmt(r.latency.p50, 0)} ms  p99 ${fmt(r.latency.p99, 0)} ms  non-200 ${r.non2xx + r.errors}  stored ${stored.toLocaleString("en-US")}`;
    console.log(row("single events (16 conn)", s, afterSingle - before, 1));
    console.log(row("batches of 100 (4 conn)", b, afterBatch - afterSingle, 100));
    console.log(`  ingest process peak memory ${fmt(peakRssMb(ingest.proc.pid!), 0)} MB`);
  } finally {
    await ingest.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  await eventToRunBench();
}

/**
 * Event accepted -> run started, at 500 single events a second for SECONDS, with everything as
 * `npm start` runs it: a file-backed Temporal dev server, one worker (with its inbox pump), one
 * ingest process, the SQLite store. An event-triggered flow takes every event; per event, the time
 * from its acceptance (inbox received_at) to its cohort's run reporting "running".
 */
async function eventToRunBench(): Promise<void> {
  const binary = temporalBinary();
  if (!binary) throw new Error("No Temporal CLI: run through `npm run bench`, which installs it");
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-e2r-"));
  const server = await startDevServer({ binary, port: await freePort(), dbFile: path.join(dir, "temporal", "temporal.db") });
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, LOOPWRIGHT_DATA_DIR: dir, LOOPWRIGHT_TASK_QUEUE: "bench-e2r" };
  const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  let worker: WorkerProcess | undefined;
  let ingest: IngestProcess | undefined;
  try {
    await ensureNamespace(temporalSettings(env));
    const registry = await loadRegistry();
    const { writeKey } = await createSource(store, asRole("admin"), { name: "bench" });
    const graph = {
      id: "every-view",
      name: "Every view",
      nodes: [
        { id: "views", type: "trigger.event@1", position: { x: 0, y: 0 }, config: { event: "Product Viewed" } },
        { id: "pass", type: "control.passthrough@1", position: { x: 200, y: 0 }, config: {} },
      ],
      edges: [{ source: "views", sourceHandle: "events", target: "pass", targetHandle: "rows" }],
    };
    const saved = await saveFlowVersion(store, registry, graph, { flowId: graph.id });
    await applyTrigger(store, registry, null, saved, graph as never);
    worker = await startWorker(env);
    ingest = await startIngest(env, await freePort());
    const auth = `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`;
    let seq = 0;
    const r = await autocannon({
      url: `${ingest.url}/v1/track`,
      method: "POST",
      connections: 8,
      overallRate: 500,
      duration: SECONDS,
      headers: { "content-type": "application/json", authorization: auth },
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ userId: `u${seq % 5000}`, event: "Product Viewed", messageId: `e-${seq++}` }) }) }],
    });
    // Accepted = in the inbox (the load generator's own count misses requests still in flight when it stopped).
    await new Promise((res) => setTimeout(res, 1000));
    const sent = await events.inboxCount(store);
    // Wait for the last cohorts' runs to start.
    const deadline = Date.now() + 60_000;
    let latencies: number[] = [];
    let cohorts = 0;
    for (;;) {
      const list = await triggers.cohortsOf(store, graph.id);
      const started = new Map((await runs.list(store, { flowId: graph.id, limit: 100_000 })).filter((x) => x.startedAt).map((x) => [x.id, x.startedAt!]));
      const covered = list.reduce((n, c) => n + (started.has(c.id) ? c.size : 0), 0);
      if (covered >= sent || Date.now() > deadline) {
        latencies = [];
        for (const c of list) {
          const at = started.get(c.id);
          if (!at) continue;
          for (const e of await triggers.inboxAt(store, c.members as number[])) latencies.push(at - e.receivedAt);
        }
        cohorts = list.length;
        break;
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => percentile(latencies, p);
    console.log(`\nEvent accepted -> run started: ${SECONDS} s at 500 events/s (file-backed Temporal dev server, one worker, one ingest process, SQLite)`);
    console.log(
      `  ${sent.toLocaleString("en-US")} events accepted (${fmt(r.requests.average, 0)}/s, non-200 ${r.non2xx + r.errors}), ${latencies.length.toLocaleString("en-US")} reached a started run in ${cohorts} cohorts (${fmt(latencies.length / Math.max(1, cohorts), 0)} events per run)`,
    );
    console.log(`  latency p50 ${fmt(pct(50), 0)} ms  p95 ${fmt(pct(95), 0)} ms  p99 ${fmt(pct(99), 0)} ms  max ${fmt(latencies[latencies.length - 1] ?? NaN, 0)} ms`);
    console.log(`  peak memory: ingest ${fmt(peakRssMb(ingest.proc.pid!), 0)} MB, worker ${fmt(peakRssMb(worker.proc.pid!), 0)} MB, Temporal ${fmt(peakRssMb(server.process.pid!), 0)} MB`);
  } finally {
    await ingest?.stop();
    await worker?.stop();
    await server.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
