// Journeys, measured: 100,000 customers (LOOPWRIGHT_BENCH_CUSTOMERS) entering a journey — a wait, a
// wait for an order that 10 % of them place, a split with a control group, an e-mail to Mailpit —
// on the stack `npm start` runs (file-backed Temporal dev server, one worker with its inbox pump,
// the ingest process, Mailpit, SQLite). Prints the wall time, the Temporal workflows and history
// events it took (they grow with parts, not customers), each process's peak memory, and the release
// latency of the wait for the order: order accepted -> e-mail received, p50/p95.
import { Client, Connection } from "@temporalio/client";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { events, openSqliteStore, profiles, runs } from "../db/store";
import { ensureNamespace, freePort, startDevServer, temporalBinary } from "../lib/dev-server";
import { MailpitApi, mailpitBinary, startMailpit, type MailpitSummary } from "../lib/mailpit";
import { connectionOptions, temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { asRole } from "../server/api/routers/test-support";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { createSource } from "../server/services/sources";
import { startIngest, startWorker, type IngestProcess, type WorkerProcess } from "../tests/support-process";
import { customers, smtpConnection } from "./act-email";
import { fmt, peakRssMb, percentile } from "./stats";

const N = Number(process.env.LOOPWRIGHT_BENCH_CUSTOMERS) || 100_000;
const BUYERS = Math.round(N / 10);
const TIMEOUT_S = Number(process.env.LOOPWRIGHT_BENCH_JOURNEY_TIMEOUT) || 90;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function journeysBench(): Promise<void> {
  const temporal = temporalBinary();
  const mailpit = mailpitBinary();
  if (!temporal || !mailpit) throw new Error("No Temporal CLI or Mailpit: run through `npm run bench`, which installs them");
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-journeys-"));
  const server = await startDevServer({ binary: temporal, port: await freePort(), dbFile: path.join(dir, "temporal", "temporal.db") });
  const mp = await startMailpit({ binary: mailpit, smtpPort: await freePort(), uiPort: await freePort(), dbFile: path.join(dir, "mailpit.db") });
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, LOOPWRIGHT_DATA_DIR: dir, LOOPWRIGHT_TASK_QUEUE: "bench-journeys", LOOPWRIGHT_PUBLIC_URL: "http://localhost:3000" };
  const settings = temporalSettings(env);
  const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  let worker: WorkerProcess | undefined;
  let ingest: IngestProcess | undefined;
  const connection = await Connection.connect(connectionOptions(settings));
  try {
    await ensureNamespace(settings);
    await smtpConnection(store, dir, mp);
    const people = customers(N);
    await profiles.writeTraits(store, people);
    const csv = path.join(dir, "customers.csv");
    writeFileSync(csv, ["user_id", ...people.map((p) => p.userId)].join("\n") + "\n");
    const { writeKey } = await createSource(store, asRole("admin"), { name: "bench-shop" });
    const at = { x: 0, y: 0 };
    const flow = {
      id: "bench-journey",
      name: "Bench journey",
      nodes: [
        { id: "customers", type: "source.csv-file@1", position: at, config: { path: csv } },
        { id: "pause", type: "control.wait@1", position: at, config: { mode: "for", amount: 2, unit: "seconds" } },
        { id: "bought", type: "control.wait-event@1", position: at, config: { customerId: "user_id", event: "Order Completed", timeout: TIMEOUT_S, unit: "seconds" } },
        { id: "split", type: "control.split@1", position: at, config: { customerId: "user_id", arms: [{ name: "A", percent: 45 }, { name: "B", percent: 45 }], controlPercent: 10 } },
        ...["a", "b"].map((arm) => ({ id: `mail-${arm}`, type: "action.send-email@1", position: at, config: { connection: "mailpit", customerId: "user_id", subject: "thanks {{ row.user_id }}", html: "<p>thanks</p>", text: "thanks", armColumn: "arm" } })),
      ],
      edges: [
        { id: "e1", source: "customers", sourceHandle: "rows", target: "pause", targetHandle: "rows" },
        { id: "e2", source: "pause", sourceHandle: "rows", target: "bought", targetHandle: "rows" },
        { id: "e3", source: "bought", sourceHandle: "did", target: "split", targetHandle: "rows" },
        { id: "e4", source: "split", sourceHandle: "a", target: "mail-a", targetHandle: "rows" },
        { id: "e5", source: "split", sourceHandle: "b", target: "mail-b", targetHandle: "rows" },
      ],
    };
    const registry = await loadRegistry();
    const saved = await saveFlowVersion(store, registry, flow, { flowId: flow.id });
    worker = await startWorker(env);
    ingest = await startIngest(env, await freePort());
    const client = new Client({ connection, namespace: settings.namespace });
    const t0 = Date.now();
    const started = await startRun(store, registry, client, settings, { versionId: saved.versionId });
    const done = client.workflow.getHandle(started.workflowId).result();
    for (;;) {
      const part = (await runs.list(store, { flowId: flow.id, limit: 20 })).find((r) => r.trigger?.parent?.node === "pause");
      if (part && (await runs.node(store, part.id, "bought")).status === "waiting") break;
      await sleep(250);
    }
    const holding = Date.now() - t0;
    // 10 % of them order, in batches of 500 over about 10 s.
    const auth = `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`;
    for (let i = 0; i < BUYERS; i += 500) {
      const batch = people.slice(i * 10, (i + 500) * 10).filter((_, j) => j % 10 === 0).map((p) => ({ type: "track", userId: p.userId, event: "Order Completed", messageId: `o-${p.userId}` }));
      await fetch(`${ingest.url}/v1/batch`, { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body: JSON.stringify({ batch }) });
      await sleep(Math.max(1, Math.round(10_000 / (BUYERS / 500))));
    }
    await done;
    const wall = Date.now() - t0;

    // Latency: order accepted -> its e-mail received (the control group's buyers get none).
    const received = new Map<string, number>();
    for (const m of (await new MailpitApi(mp.url).messages()) as (MailpitSummary & { Created: string })[]) received.set(m.Subject.slice("thanks ".length), Date.parse(m.Created));
    const latencies: number[] = [];
    for (const e of await events.readInbox(store, 0, 1_000_000)) {
      const t = e.userId ? received.get(e.userId) : undefined;
      if (t !== undefined) latencies.push(t - e.receivedAt);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => percentile(latencies, p);
    let workflows = 0;
    let history = 0;
    for await (const w of client.workflow.list()) {
      workflows++;
      history += (await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory()).events?.length ?? 0;
    }
    console.log(`\nJourneys: ${N.toLocaleString("en-US")} customers enter (wait 2 s, wait for an order up to ${TIMEOUT_S} s that ${BUYERS.toLocaleString("en-US")} place, split with control, e-mail to Mailpit)`);
    console.log(`  wall time ${fmt(wall / 1000, 1)} s (all held after ${fmt(holding / 1000, 1)} s); ${received.size.toLocaleString("en-US")} e-mails`);
    console.log(`  Temporal: ${workflows} workflow executions, ${history.toLocaleString("en-US")} history events in all (${fmt(history / N, 3)} per customer)`);
    console.log(`  release latency, order accepted -> e-mail received: p50 ${fmt(pct(50), 0)} ms  p95 ${fmt(pct(95), 0)} ms  (${latencies.length.toLocaleString("en-US")} e-mails)`);
    console.log(`  peak memory: worker ${fmt(peakRssMb(worker.proc.pid!), 0)} MB, ingest ${fmt(peakRssMb(ingest.proc.pid!), 0)} MB, Temporal ${fmt(peakRssMb(server.process.pid!), 0)} MB, Mailpit ${fmt(peakRssMb(mp.process.pid!), 0)} MB, this process ${fmt(peakRssMb(process.pid), 0)} MB`);
  } finally {
    await connection.close();
    await ingest?.stop();
    await worker?.stop();
    await server.stop();
    await mp.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
