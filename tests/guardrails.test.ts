// Guardrails across flows, through real runs: three flows e-mailing the same customers at once
// give each at most the cap, and the ledger says why the rest were suppressed; a send in quiet
// hours (in the customer's own zone) is not sent at once, waits in a deferred part, and arrives when
// quiet hours end, its ledger row replacing the deferral.
//
// The guardrails are one setting for every flow, so this file does not change them under the
// other tests' feet: it has its own control-plane store, Mailpit and worker (on its own task
// queue), sharing only the Temporal server. The clock is the real one: quiet hours are set to end
// within the next minute or two of the customer's local time.
import { Client, Connection } from "@temporalio/client";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { guardrails, ledger, openSqliteStore, profiles, runs, type Store } from "../db/store";
import { freePort } from "../lib/dev-server";
import { DEFAULT_GUARDRAILS } from "../lib/guardrails-rules";
import { mailpitBinary, MailpitApi, startMailpit, type Mailpit, type MailpitSummary } from "../lib/mailpit";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { importEnvConnections } from "../server/services/connection-env";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { startWorker, testEnv, type WorkerProcess } from "./support";

const QUEUE = "guardrails";
const DOMAIN = "guarded.example";
const ZONE = "Asia/Kathmandu"; // +05:45: no other test's customers live there

let dir: string;
let store: Store;
let mailpit: Mailpit;
let api: MailpitApi;
let worker: WorkerProcess;
let connection: Connection;
let client: Client;
const env = () => testEnv({ LOOPWRIGHT_DATA_DIR: dir, LOOPWRIGHT_TASK_QUEUE: QUEUE, LOOPWRIGHT_PUMP: "0" });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-guardrails-"));
  mailpit = await startMailpit({ binary: mailpitBinary()!, smtpPort: await freePort(), uiPort: await freePort() });
  api = new MailpitApi(mailpit.url);
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  const own = { LOOPWRIGHT_DATA_DIR: dir, LOOPWRIGHT_SECRET_MAILPIT: `smtp://127.0.0.1:${mailpit.smtpPort}?from=${encodeURIComponent(`News <news@${DOMAIN}>`)}` };
  const imported = await importEnvConnections(store, own, { env: own, dataDir: dir, warn: () => undefined });
  expect(imported.created).toEqual(["mailpit"]);
  worker = await startWorker(env());
  connection = await Connection.connect({ address: inject("temporalAddress") });
  client = new Client({ connection, namespace: temporalSettings(env()).namespace });
}, 180_000);

afterAll(async () => {
  await connection?.close();
  await worker?.stop();
  await store?.close();
  await mailpit?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A flow: the customers in a CSV file, each sent one e-mail. */
function emailFlow(id: string, csv: string) {
  return {
    id,
    name: id,
    nodes: [
      { id: "customers", type: "source.csv-file@1", position: { x: 0, y: 0 }, config: { path: csv } },
      { id: "email", type: "action.send-email@1", position: { x: 300, y: 0 }, config: { connection: "mailpit", customerId: "user_id", subject: `${id}: hello`, html: `<p>${id}</p>`, text: id, campaign: id } },
    ],
    edges: [{ id: "e1", source: "customers", sourceHandle: "rows", target: "email", targetHandle: "rows" }],
  };
}

async function customersFile(name: string, ids: string[], traits: (id: string) => Record<string, unknown>): Promise<string> {
  await profiles.writeTraits(store, ids.map((id) => ({ userId: id, traits: { email: `${id}@${DOMAIN}`, consent: { email: true }, ...traits(id) } })));
  const csv = path.join(dir, `${name}.csv`);
  writeFileSync(csv, ["user_id", ...ids].join("\n") + "\n");
  return csv;
}

async function start(flow: ReturnType<typeof emailFlow>) {
  const registry = await loadRegistry();
  const saved = await saveFlowVersion(store, registry, flow, { flowId: flow.id });
  return startRun(store, registry, client, temporalSettings(env()), { versionId: saved.versionId });
}

const to = (m: MailpitSummary) => m.To[0]!.Address;
const sentTo = async (prefix: string) => (await api.messages()).filter((m) => to(m).startsWith(prefix));

describe("guardrails", () => {
  it("three flows e-mailing the same customers at once: each customer gets the cap (2 in 7 days), and the ledger says why not the third", async () => {
    await guardrails.saveSettings(store, { ...DEFAULT_GUARDRAILS, caps: { email: { max: 2, days: 7 } } });
    const ids = Array.from({ length: 600 }, (_, i) => `cap${String(i).padStart(3, "0")}`); // two batches of the node each, so the flows interleave
    const csv = await customersFile("cap", ids, () => ({}));
    const started = await Promise.all(["flow-a", "flow-b", "flow-c"].map((id) => start(emailFlow(id, csv))));
    for (const s of started) expect((await client.workflow.getHandle(s.workflowId).result()).status).toBe("succeeded");

    const messages = await sentTo("cap");
    const perCustomer = new Map<string, number>();
    for (const m of messages) perCustomer.set(to(m), (perCustomer.get(to(m)) ?? 0) + 1);
    expect([...perCustomer.values()].every((n) => n === 2)).toBe(true);
    expect(perCustomer.size).toBe(ids.length);

    const rows = (await ledger.list(store)).filter((r) => started.some((s) => s.runId === r.runId));
    for (const id of ids) {
      const mine = rows.filter((r) => r.customerId === id);
      expect(mine.map((r) => r.status).sort(), id).toEqual(["sent", "sent", "suppressed"]);
      expect(mine.find((r) => r.status === "suppressed")!.reason).toBe("frequency cap: 2 e-mails in 7 days");
    }
    const suppressed = await Promise.all(started.map(async (s) => ((await runs.node(store, s.runId, "email")).metrics as { suppressed: number }).suppressed));
    expect(suppressed.reduce((a, b) => a + b, 0)).toBe(ids.length);
    console.log(`[guardrails] 3 flows x ${ids.length} customers at once, cap 2: ${messages.length} e-mails; suppressed per flow ${suppressed.join(", ")}`);
  }, 240_000);

  it("a send in quiet hours in the customer's zone is deferred, not dropped: it arrives when they end, and its ledger row replaces the deferral", async () => {
    // Quiet hours from half an hour ago until the next whole minute (or the one after, when it is
    // close) in Kathmandu: the customers there are in them; those in the default zone (UTC) are not.
    const local = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const now = Date.now();
    const end = Math.ceil(now / 60_000) * 60_000 + (Math.ceil(now / 60_000) * 60_000 - now < 25_000 ? 60_000 : 0);
    const quietHours = { enabled: true, from: local.format(new Date(now - 30 * 60_000)), to: local.format(new Date(end)) };
    await guardrails.saveSettings(store, { ...DEFAULT_GUARDRAILS, quietHours, timeZone: "UTC" });
    const night = ["night0", "night1", "night2"];
    const day = ["day0", "day1"];
    const csv = await customersFile("quiet", [...night, ...day], (id) => (id.startsWith("night") ? { timezone: ZONE } : {}));
    const run = await start(emailFlow("quiet", csv));

    // The e-mail node finishes at once: the daytime customers are sent, the others put off to the end.
    const deadline = Date.now() + 60_000;
    while ((await runs.node(store, run.runId, "email")).status !== "succeeded") {
      if (Date.now() > deadline) throw new Error(`the e-mail node did not finish:\n${worker.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(Date.now()).toBeLessThan(end);
    expect((await runs.node(store, run.runId, "email")).metrics).toMatchObject({ sent: 2, deferred: 3, deferredUntil: [{ at: new Date(end).toISOString(), customers: 3 }] });
    const reason = `deferred to ${new Date(end).toISOString()} (quiet hours)`;
    const deferred = (await ledger.list(store)).filter((r) => r.runId === run.runId && r.status === "suppressed");
    expect(deferred.map((r) => [r.customerId, r.reason]).sort()).toEqual(night.map((id) => [id, reason]));
    expect((await sentTo("day")).length).toBe(2);
    expect(await sentTo("night")).toEqual([]);

    // Quiet hours end: the part runs (a child run), and the e-mails arrive.
    expect((await client.workflow.getHandle(run.workflowId).result()).status).toBe("succeeded");
    const arrived = await sentTo("night");
    expect(arrived.map(to).sort()).toEqual(night.map((id) => `${id}@${DOMAIN}`));
    for (const m of arrived) expect(Date.parse((m as MailpitSummary & { Created: string }).Created)).toBeGreaterThanOrEqual(end - 1000);
    // The timeline: one row per customer, "sent" by the deferred part at or after the end; the deferrals are gone.
    const after = (await ledger.list(store)).filter((r) => night.includes(r.customerId ?? ""));
    expect(after.map((r) => r.status)).toEqual(["sent", "sent", "sent"]);
    expect(after.every((r) => r.runId !== run.runId && r.runId.startsWith(`${run.runId}.email.`) && r.at >= end)).toBe(true);
    const part = await runs.row(store, after[0]!.runId);
    expect(part.trigger?.parent).toMatchObject({ runId: run.runId, node: "email" });
    console.log(`[guardrails] quiet hours until ${quietHours.to} in ${ZONE}: 3 e-mails deferred ${Math.round((end - now) / 1000)} s, arrived after the end`);
  }, 240_000);
});
