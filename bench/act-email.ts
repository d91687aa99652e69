// E-mail, measured: messages handed to Mailpit per second by action.send-email (pooled SMTP, a
// ledger row after each), and end to end, event accepted -> e-mail received at 500 events a second
// (LOOPWRIGHT_BENCH_E2E_RATE) for LOOPWRIGHT_BENCH_SECONDS (default 60) through an event-triggered flow, on the stack `npm start`
// runs (file-backed Temporal dev server, one worker with its inbox pump, the ingest process, Mailpit,
// SQLite). Nothing may be lost: every accepted event's e-mail must arrive.
import autocannon from "autocannon";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { connections, events, openSqliteStore, profiles, runs, triggers, type Store } from "../db/store";
import { ensureNamespace, freePort, startDevServer, temporalBinary } from "../lib/dev-server";
import { MailpitApi, mailpitBinary, startMailpit, type Mailpit } from "../lib/mailpit";
import { encryptionKey } from "../lib/secret-box";
import { temporalSettings } from "../lib/temporal";
import sendEmail, { DEFAULT_SMTP_CONNECTIONS } from "../nodes/action/send-email.node.ts";
import { loadRegistry } from "../nodes/registry";
import { asRole } from "../server/api/routers/test-support";
import { checkConnection, parseSecrets, sealSecrets } from "../server/services/connection-kinds";
import { saveFlowVersion } from "../server/services/flows";
import { createSource } from "../server/services/sources";
import { applyTrigger } from "../server/services/triggers";
import { harness } from "../tests/harness";
import { startIngest, startWorker, type IngestProcess, type WorkerProcess } from "../tests/support-process";
import { cpuSeconds, fmt, peakRssMb, percentile } from "./stats";

const SECONDS = Number(process.env.LOOPWRIGHT_BENCH_SECONDS) || 60;
const MESSAGES = Number(process.env.LOOPWRIGHT_BENCH_EMAILS) || 2_000;
const CUSTOMERS = 5_000;
/** Events per second for the end-to-end part (the issue's figure is 500). */
const RATE = Number(process.env.LOOPWRIGHT_BENCH_E2E_RATE) || 500;
/** A folder: the worker and the ingest process write V8 CPU profiles there when they exit (bench/cpu-profile.mjs; open them in Chrome's DevTools). */
const CPU_PROFILES = process.env.LOOPWRIGHT_BENCH_CPU_PROF;
/** The e-mail node's SMTP connections (its setting "concurrency") in the end-to-end flow; by default the node's default. */
const E2E_CONNECTIONS = Number(process.env.LOOPWRIGHT_BENCH_E2E_CONNECTIONS) || DEFAULT_SMTP_CONNECTIONS;
/** A share of one core (0..1) that a second process burns during the end-to-end part, as a busy neighbour would (bench/busy-neighbour.mjs). */
const BUSY = Number(process.env.LOOPWRIGHT_BENCH_BUSY) || 0;
/** More Mailpit flags for the end-to-end part (e.g. "--compression 1" to compare). */
const MAILPIT_ARGS = (process.env.LOOPWRIGHT_BENCH_MAILPIT_ARGS ?? "").split(/\s+/).filter(Boolean);
const TEMPLATES = { subject: "{{ profile.first_name }}, about {{ row.message_id }}", html: "<p>Hi {{ profile.first_name }}, thanks for order {{ row.message_id }}.</p>", text: "Hi {{ profile.first_name }}, thanks for order {{ row.message_id }}." };

export async function smtpConnection(store: Store, dataDir: string, mp: Mailpit): Promise<void> {
  const checked = checkConnection("smtp", { host: "127.0.0.1", port: mp.smtpPort, from: "Shop <news@shop.example>" }, parseSecrets("smtp", {}), [], []);
  await connections.create(store, { name: "mailpit", kind: "smtp", ...checked, secret: sealSecrets({}, encryptionKey(process.env, { dataDir }).key) });
}

export const customers = (n: number) => Array.from({ length: n }, (_, i) => ({ userId: `u${i}`, traits: { first_name: `N${i}`, email: `u${i}@shop.example`, consent: { email: true } } }));

export async function throughput(binary: string): Promise<void> {
  const h = harness();
  const mp = await startMailpit({ binary, smtpPort: await freePort(), uiPort: await freePort() });
  try {
    await smtpConnection(h.store, h.dataDir, mp);
    await profiles.writeTraits(h.store, customers(MESSAGES));
    const rows = await h.ctx("setup").datasets.create(`SELECT 'u' || i AS customer, 'm' || i AS message_id FROM range(${MESSAGES}) t(i)`);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const mailpitCpu = cpuSeconds(mp.process.pid!);
    const out = await h.run(sendEmail, { connection: "mailpit", customerId: "customer", ...TEMPLATES }, { rows }, h.ctx("mail", { runId: "bench-mail" }));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const mailpitSeconds = cpuSeconds(mp.process.pid!) - mailpitCpu;
    const arrived = (await new MailpitApi(mp.url).stats()).messages;
    console.log(`\nE-mail: ${fmt(MESSAGES, 0)} personalised messages through action.send-email to Mailpit (${DEFAULT_SMTP_CONNECTIONS} SMTP connections, the node's default; a ledger row after each)`);
    console.log(`  ${fmt(Number((out.metrics as { sent?: number }).sent ?? 0) / seconds, 0)} messages/s, ${arrived.toLocaleString("en-US")} arrived`);
    console.log(`  CPU per message: sender ${fmt((used.user + used.system) / 1000 / MESSAGES, 3)} ms, Mailpit ${fmt((mailpitSeconds * 1000) / MESSAGES, 3)} ms`);
  } finally {
    await mp.stop();
    await h.close();
  }
}

export async function endToEnd(binary: string): Promise<void> {
  const temporal = temporalBinary();
  if (!temporal) throw new Error("No Temporal CLI: run through `npm run bench`, which installs it");
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-e2e-mail-"));
  const server = await startDevServer({ binary: temporal, port: await freePort(), dbFile: path.join(dir, "temporal", "temporal.db") });
  const mp = await startMailpit({ binary, smtpPort: await freePort(), uiPort: await freePort(), dbFile: path.join(dir, "mailpit.db"), extraArgs: MAILPIT_ARGS });
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, LOOPWRIGHT_DATA_DIR: dir, LOOPWRIGHT_TASK_QUEUE: "bench-mail", LOOPWRIGHT_PUBLIC_URL: "http://localhost:3000" };
  const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  let worker: WorkerProcess | undefined;
  let ingest: IngestProcess | undefined;
  let neighbour: ChildProcess | undefined;
  try {
    await ensureNamespace(temporalSettings(env));
    await smtpConnection(store, dir, mp);
    await profiles.writeTraits(store, customers(CUSTOMERS));
    const registry = await loadRegistry();
    const { writeKey } = await createSource(store, asRole("admin"), { name: "shop" });
    const graph = {
      id: "thank-you",
      name: "Thank you",
      nodes: [
        { id: "orders", type: "trigger.event@1", position: { x: 0, y: 0 }, config: { event: "Order Completed" } },
        { id: "mail", type: "action.send-email@1", position: { x: 200, y: 0 }, config: { connection: "mailpit", customerId: "user_id", ...TEMPLATES, concurrency: E2E_CONNECTIONS } },
      ],
      edges: [{ source: "orders", sourceHandle: "events", target: "mail", targetHandle: "rows" }],
    };
    const saved = await saveFlowVersion(store, registry, graph, { flowId: graph.id });
    await applyTrigger(store, registry, null, saved, graph as never);
    const profiled = CPU_PROFILES
      ? { ...env, LOOPWRIGHT_CPU_PROFILE_DIR: path.resolve(CPU_PROFILES), NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${pathToFileURL(path.join(import.meta.dirname, "cpu-profile.mjs")).href}`.trim() }
      : env;
    worker = await startWorker(profiled);
    ingest = await startIngest(profiled, await freePort());
    if (BUSY > 0) neighbour = spawn(process.execPath, [path.join(import.meta.dirname, "busy-neighbour.mjs"), String(BUSY)], { stdio: "ignore" });
    const auth = `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`;
    let seq = 0;
    const procs = { worker: worker.proc.pid!, ingest: ingest.proc.pid!, Temporal: server.process.pid!, Mailpit: mp.process.pid! };
    const cpuBefore = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, cpuSeconds(pid)]));
    const load = await autocannon({
      url: `${ingest.url}/v1/track`,
      method: "POST",
      connections: 8,
      overallRate: RATE,
      duration: SECONDS,
      headers: { "content-type": "application/json", authorization: auth },
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ userId: `u${seq % CUSTOMERS}`, event: "Order Completed", messageId: `o-${seq++}` }) }) }],
    });
    await new Promise((r) => setTimeout(r, 1000));
    const accepted = await events.inboxCount(store);
    const api = new MailpitApi(mp.url);
    const deadline = Date.now() + 120_000;
    let arrived = 0;
    while ((arrived = (await api.stats()).messages) < accepted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
    const cpu = Object.entries(procs).map(([k, pid]) => `${k} ${fmt(((cpuSeconds(pid) - cpuBefore[k]!) / Math.max(arrived, 1)) * 1000, 2)} s`);
    const received = new Map<string, number>();
    for (const m of (await api.messages()) as (Awaited<ReturnType<MailpitApi["messages"]>>[number] & { Created: string })[]) {
      const id = /about (o-\d+)/.exec(m.Subject)?.[1];
      if (id) received.set(id, Date.parse(m.Created));
    }
    const latencies: number[] = [];
    for (const e of await events.readInbox(store, 0, 1_000_000)) {
      const at = received.get(e.messageId);
      if (at !== undefined) latencies.push(at - e.receivedAt);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number, of = latencies) => percentile(of, p);
    // Where the time went: accepted -> its cohort closed, cohort closed -> run started, run started -> e-mail received.
    const stages = { cohort: [] as number[], start: [] as number[], send: [] as number[] };
    const cohortOf = new Map<number, { createdAt: number; startedAt: number | null }>();
    for (const c of await triggers.cohortsOf(store, graph.id)) for (const m of c.members) cohortOf.set(Number(m), c);
    for (const e of await events.readInbox(store, 0, 1_000_000)) {
      const c = cohortOf.get(e.position);
      const at = received.get(e.messageId);
      if (!c?.startedAt || at === undefined) continue;
      stages.cohort.push(c.createdAt - e.receivedAt);
      stages.start.push(c.startedAt - c.createdAt);
      stages.send.push(at - c.startedAt);
    }
    for (const v of Object.values(stages)) v.sort((a, b) => a - b);
    const stage = (v: number[]) => `p50 ${fmt(pct(50, v), 0)} ms, p95 ${fmt(pct(95, v), 0)} ms`;
    console.log(`\nEvent accepted -> e-mail received: ${SECONDS} s at ${RATE} events/s (event trigger -> send-email with ${E2E_CONNECTIONS} SMTP connections; file-backed Temporal, one worker, ingest, Mailpit, SQLite${BUSY > 0 ? `; a neighbour burning ${BUSY} of a core` : ""})`);
    console.log(`  ${accepted.toLocaleString("en-US")} events accepted (non-200 ${load.non2xx + load.errors}), ${arrived.toLocaleString("en-US")} e-mails arrived, ${accepted - received.size} missing`);
    console.log(`  latency p50 ${fmt(pct(50), 0)} ms  p95 ${fmt(pct(95), 0)} ms  p99 ${fmt(pct(99), 0)} ms  max ${fmt(latencies[latencies.length - 1] ?? NaN, 0)} ms`);
    console.log(`  of which: waiting for the cohort ${stage(stages.cohort)}; cohort -> run started ${stage(stages.start)}; run started -> e-mail ${stage(stages.send)} (${cohortOf.size ? new Set(cohortOf.values()).size : 0} cohorts)`);
    const nodeTimes = { orders: [] as number[], mail: [] as number[] };
    for (const r of await runs.list(store, { flowId: graph.id, limit: 10_000 }))
      for (const id of ["orders", "mail"] as const) {
        const n = await runs.node(store, r.id, id).catch(() => null);
        if (n?.startedAt && n.finishedAt) nodeTimes[id].push(n.finishedAt - n.startedAt);
      }
    for (const v of Object.values(nodeTimes)) v.sort((a, b) => a - b);
    console.log(`  per run: trigger node ${stage(nodeTimes.orders)}; send-email node ${stage(nodeTimes.mail)}`);
    console.log(`  CPU per 1,000 events (from load start until the last e-mail arrived): ${cpu.join(", ")}`);
    console.log(`  peak memory: ingest ${fmt(peakRssMb(ingest.proc.pid!), 0)} MB, worker ${fmt(peakRssMb(worker.proc.pid!), 0)} MB, Temporal ${fmt(peakRssMb(server.process.pid!), 0)} MB, Mailpit ${fmt(peakRssMb(mp.process.pid!), 0)} MB`);
  } finally {
    neighbour?.kill();
    await ingest?.stop();
    await worker?.stop();
    await server.stop();
    await mp.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function actEmailBench(): Promise<void> {
  const binary = mailpitBinary();
  if (!binary) throw new Error("Mailpit is not built: run through `npm run bench`, or set MAILPIT_PATH");
  await throughput(binary);
  await endToEnd(binary);
}
