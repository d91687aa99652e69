// The ingest API under a bounded load on localhost, with the embedded defaults (SQLite store, one
// ingest process): accepted events per second and answer latency (p50/p99) for single-event calls
// and for batches of 100, each sustained for LOOPWRIGHT_BENCH_SECONDS (default 60), and the ingest
// process's peak memory. Every answer must be 200: a 429 or an error is counted and reported.
import autocannon from "autocannon";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { events, openSqliteStore } from "../db/store";
import { freePort } from "../lib/dev-server";
import { asRole } from "../server/api/routers/test-support";
import { createSource } from "../server/services/sources";
import { startIngest } from "../tests/support-process";
import { fmt } from "./stats";

const SECONDS = Number(process.env.LOOPWRIGHT_BENCH_SECONDS) || 60;

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

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
}
