// Kill -9 of the worker, and of the Temporal dev server, while a cohort waits in a journey (a timer
// wait, then a wait for an order with a timeout), on a stack of its own (a file-backed Temporal dev
// server, a worker, an ingest process, a store) sending to the test Mailpit. The journey completes:
// every customer gets exactly the one e-mail their path leads to, none twice, none missing.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ledger, openSqliteStore, profiles, runs, type Store } from "../db/store";
import { ensureNamespace, freePort, startDevServer, temporalBinary, type DevServer } from "../lib/dev-server";
import { MailpitApi } from "../lib/mailpit";
import { connectionOptions, temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { asRole } from "../server/api/routers/test-support";
import { importEnvConnections } from "../server/services/connection-env";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { createSource } from "../server/services/sources";
import { startIngest, startWorker, type IngestProcess, type WorkerProcess } from "./support-process";
import { Client, Connection } from "@temporalio/client";

const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-journey-crash-"));
const DOMAIN = "journey-crash.example";
const N = 200;
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

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nworker:\n${worker?.output().slice(-3000)}`);
    await sleep(250);
  }
}

const idOf = (i: number) => `k${String(i).padStart(3, "0")}`;
const mail = (id: string, subject: string) => ({
  id,
  type: "action.send-email@1",
  position: { x: 0, y: 0 },
  config: { connection: "mailpit", customerId: "user_id", subject, html: `<p>${subject}</p>`, text: subject, campaign: id },
});

describe("kill -9 while a journey waits", () => {
  it("completes the journey after the worker and the Temporal server are killed, with no e-mail twice and none missing", async () => {
    const binary = temporalBinary();
    if (!binary) throw new Error("No Temporal CLI: set TEMPORAL_CLI_PATH or run through npm test");
    const port = await freePort();
    const startTemporal = () => startDevServer({ binary, port, dbFile: path.join(dir, "temporal", "temporal.db"), logFile: path.join(dir, "logs", "temporal.log") });
    server = await startTemporal();
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: server.address,
      LOOPWRIGHT_DATA_DIR: dir,
      LOOPWRIGHT_TASK_QUEUE: "journey-crash",
      LOOPWRIGHT_SECRET_MAILPIT: `smtp://${inject("mailpitSmtp")}?from=${encodeURIComponent("Loopwright <loopwright@example.com>")}`,
    };
    const settings = temporalSettings(env);
    await ensureNamespace(settings);
    store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
    await importEnvConnections(store, env, { dataDir: dir });
    const ids = Array.from({ length: N }, (_, i) => idOf(i));
    await profiles.writeTraits(store, ids.map((id) => ({ userId: id, traits: { email: `${id}@${DOMAIN}`, consent: { email: true } } })));
    const csv = path.join(dir, "customers.csv");
    writeFileSync(csv, ["user_id", ...ids].join("\n") + "\n");
    const { writeKey } = await createSource(store, asRole("admin"), { name: "crash-shop" });

    const at = { x: 0, y: 0 };
    const flow = {
      id: "crash-journey",
      name: "Crash journey",
      nodes: [
        { id: "customers", type: "source.csv-file@1", position: at, config: { path: csv } },
        { id: "pause", type: "control.wait@1", position: at, config: { mode: "for", amount: 1, unit: "seconds" } },
        { id: "bought", type: "control.wait-event@1", position: at, config: { customerId: "user_id", event: "Order Completed", timeout: 30, unit: "seconds" } },
        mail("thanks", "thank you"),
        mail("nudge", "still thinking?"),
      ],
      edges: [
        { id: "e1", source: "customers", sourceHandle: "rows", target: "pause", targetHandle: "rows" },
        { id: "e2", source: "pause", sourceHandle: "rows", target: "bought", targetHandle: "rows" },
        { id: "e3", source: "bought", sourceHandle: "did", target: "thanks", targetHandle: "rows" },
        { id: "e4", source: "bought", sourceHandle: "timedOut", target: "nudge", targetHandle: "rows" },
      ],
    };
    const registry = await loadRegistry();
    const saved = await saveFlowVersion(store, registry, flow, { flowId: flow.id });
    worker = await startWorker(env);
    ingest = await startIngest(env, await freePort());
    const connection = await Connection.connect(connectionOptions(settings));
    let started: { runId: string };
    try {
      started = await startRun(store, registry, new Client({ connection, namespace: settings.namespace }), settings, { versionId: saved.versionId });
    } finally {
      await connection.close();
    }

    // Everyone waits for an order.
    await until("the cohort waiting for orders", async () => {
      const part = (await runs.list(store!, { flowId: flow.id, limit: 50 })).find((r) => r.trigger?.parent?.node === "pause");
      return part && (await runs.node(store!, part.id, "bought")).status === "waiting";
    }, 120_000);

    // The worker dies; orders arrive while it is down; it comes back.
    await worker.stop("SIGKILL");
    const buyers = ids.filter((_, i) => i % 4 === 0);
    const order = async (who: string[]) => {
      const res = await fetch(`${ingest!.url}/v1/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}` },
        body: JSON.stringify({ batch: who.map((id) => ({ type: "track", userId: id, event: "Order Completed", properties: { total: 30 }, messageId: `o-${id}` })) }),
      });
      expect(res.status).toBe(200);
    };
    await order(buyers.slice(0, 25));
    worker = await startWorker(env);
    // Temporal dies with customers released and some still waiting; more orders meanwhile.
    await sleep(1_500);
    server.process.kill("SIGKILL");
    await new Promise((r) => server!.process.once("exit", r));
    await order(buyers.slice(25));
    await sleep(1_000);
    server = await startTemporal();

    const finished = await until(
      "the journey's runs to finish",
      async () => {
        const list = await runs.list(store!, { flowId: flow.id, limit: 100 });
        const root = list.find((r) => r.id === started.runId);
        return root?.status === "succeeded" && list.every((r) => r.status === "succeeded") && list;
      },
      180_000,
    );
    expect(finished.length).toBeGreaterThanOrEqual(3); // the cohort's run, the wait's part, and at least one released and one timed-out part

    const got = (await new MailpitApi(inject("mailpitUrl")).messages()).filter((m) => m.To[0]?.Address.endsWith(`@${DOMAIN}`));
    const to = (subject: string) => got.filter((m) => m.Subject === subject).map((m) => m.To[0]!.Address.split("@")[0]!).sort();
    expect(to("thank you")).toEqual([...buyers].sort());
    expect(to("still thinking?")).toEqual(ids.filter((id) => !buyers.includes(id)).sort());
    expect(got.length).toBe(N);
    // The ledger agrees: one sent row per customer, across all the journey's runs.
    const sent = (await ledger.list(store, { flowId: flow.id })).filter((r) => r.status === "sent");
    expect(sent.map((r) => r.customerId).sort()).toEqual([...ids].sort());
  }, 400_000);
});
