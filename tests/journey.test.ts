// A journey for a cohort of 1,000 customers: split (A, B and a control group), wait, wait for an
// event with a timeout, branch on a trait, and e-mails, in one flow. Events sent to the ingest API
// release exactly the waiting customers who sent them, long before the timeout; the others go on at
// the timeout; nobody in the control group receives anything; every customer gets at most one
// e-mail, the one their path leads to.
import { Client, Connection } from "@temporalio/client";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { profiles, runs } from "../db/store";
import { freePort } from "../lib/dev-server";
import { MailpitApi, type MailpitSummary } from "../lib/mailpit";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { asRole } from "../server/api/routers/test-support";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { createSource } from "../server/services/sources";
import { startIngest, type IngestProcess } from "./support-process";
import { testEnv, testStore } from "./support";

const store = testStore();
const DOMAIN = "journey.example";
const N = 1000;
const TIMEOUT_S = 25;
let ingest: IngestProcess | undefined;

beforeAll(async () => {
  ingest = await startIngest(testEnv(), await freePort());
}, 90_000);

afterAll(async () => {
  await ingest?.stop();
});

const idOf = (i: number) => `j${String(i).padStart(4, "0")}`;
const addressOf = (id: string) => `${id}@${DOMAIN}`;
const isVip = (i: number) => i % 7 === 0;

const email = (id: string, subject: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: "action.send-email@1",
  position: { x: 0, y: 0 },
  config: { connection: "mailpit", customerId: "user_id", subject, html: `<p>${subject}</p>`, text: subject, campaign: `journey-${id}`, armColumn: "arm", ...extra },
});

function journeyFlow(csv: string) {
  const at = { x: 0, y: 0 };
  return {
    id: "journey",
    name: "Journey",
    nodes: [
      { id: "customers", type: "source.csv-file@1", position: at, config: { path: csv } },
      { id: "split", type: "control.split@1", position: at, config: { customerId: "user_id", arms: [{ name: "A", percent: 45 }, { name: "B", percent: 45 }], controlPercent: 10 } },
      { id: "pause", type: "control.wait@1", position: at, config: { mode: "for", amount: 2, unit: "seconds" } },
      { id: "bought", type: "control.wait-event@1", position: at, config: { customerId: "user_id", event: "Order Completed", conditions: [{ on: "property", field: "total", operator: ">", value: "10" }], timeout: TIMEOUT_S, unit: "seconds" } },
      { id: "vip", type: "control.branch@1", position: at, config: { customerId: "user_id", branches: [{ name: "VIP", conditions: [{ on: "trait", field: "vip", operator: "=", value: "true" }] }] } },
      email("thanks", "{{ profile.first_name }}, thank you for your order"),
      email("vipOffer", "{{ profile.first_name }}, a VIP offer"),
      email("nudge", "{{ profile.first_name }}, still thinking?"),
      email("armB", "{{ profile.first_name }}, offer B"),
    ],
    edges: [
      { source: "customers", sourceHandle: "rows", target: "split", targetHandle: "rows" },
      { source: "split", sourceHandle: "a", target: "pause", targetHandle: "rows" },
      { source: "pause", sourceHandle: "rows", target: "bought", targetHandle: "rows" },
      { source: "bought", sourceHandle: "did", target: "thanks", targetHandle: "rows" },
      { source: "bought", sourceHandle: "timedOut", target: "vip", targetHandle: "rows" },
      { source: "vip", sourceHandle: "branch1", target: "vipOffer", targetHandle: "rows" },
      { source: "vip", sourceHandle: "else", target: "nudge", targetHandle: "rows" },
      { source: "split", sourceHandle: "b", target: "armB", targetHandle: "rows" },
    ].map((e, i) => ({ id: `e${i}`, ...e })),
  };
}

async function arrived(api: MailpitApi): Promise<MailpitSummary[]> {
  return (await api.messages()).filter((m) => m.To[0]?.Address.endsWith(`@${DOMAIN}`));
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the journey's runs: ${JSON.stringify(await runs.list(store, { flowId: "journey", limit: 20 }))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("a journey", () => {
  it("splits with a control group, waits, releases the customers whose event came, times out the rest, and branches", async () => {
    const registry = await loadRegistry();
    const settings = temporalSettings(testEnv());
    const api = new MailpitApi(inject("mailpitUrl"));
    const ids = Array.from({ length: N }, (_, i) => idOf(i));
    await profiles.writeTraits(
      store,
      ids.map((id, i) => ({ userId: id, traits: { first_name: `F${id}`, email: addressOf(id), consent: { email: true }, vip: isVip(i) } })),
    );
    const csv = path.join(inject("dataDir"), "journey-customers.csv");
    writeFileSync(csv, ["user_id", ...ids].join("\n") + "\n");
    const { writeKey } = await createSource(store, asRole("admin"), { name: "journey-shop" });

    const flow = journeyFlow(csv);
    const saved = await saveFlowVersion(store, registry, flow, { flowId: flow.id });
    const connection = await Connection.connect({ address: settings.address });
    try {
      const client = new Client({ connection, namespace: settings.namespace });
      const started = await startRun(store, registry, client, settings, { versionId: saved.versionId });
      const done = client.workflow.getHandle(started.workflowId).result();

      // Arm B is e-mailed at once; arm A waits 2 s, then waits for an order.
      const splitNode = await until("the split", async () => {
        const n = await runs.node(store, started.runId, "split");
        return n.status === "succeeded" && n;
      }, 60_000);
      const arms = splitNode.metrics as { arms: { A: number; B: number }; control: number };
      expect(Math.abs(arms.arms.A / N - 0.45)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(arms.arms.B / N - 0.45)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(arms.control / N - 0.1)).toBeLessThanOrEqual(0.02);

      // Who is in which arm: the armB e-mails tell B; the waiting step's store rows tell A.
      const waiting = await until("arm A waiting for an order", async () => {
        const list = await runs.list(store, { flowId: flow.id, limit: 100 });
        const child = list.find((r) => r.trigger?.parent?.node === "pause");
        if (!child) return false;
        const n = await runs.node(store, child.id, "bought").catch(() => undefined);
        return n?.status === "waiting" && { runId: child.id, metrics: n.metrics as { waiting: number } };
      }, 60_000);
      expect(waiting.metrics.waiting).toBe(arms.arms.A);
      const armB = new Set((await until("arm B's e-mails", async () => {
        const got = (await arrived(api)).filter((m) => m.Subject.endsWith("offer B"));
        return got.length === arms.arms.B && got;
      }, 60_000)).map((m) => m.To[0]!.Address.split("@")[0]!));

      // Orders from 100 customers: those waiting in arm A are released; arm B and control customers
      // who order are not waiting and get nothing more; an order of 5 does not pass the test (total > 10).
      const sent = Date.now();
      const orders = ids.filter((_, i) => i % 10 === 3).map((id) => ({ type: "track", userId: id, event: "Order Completed", properties: { total: id.endsWith("3") && Number(id.slice(1)) % 20 === 13 ? 5 : 42 }, messageId: `order-${id}` }));
      const res = await fetch(`${ingest!.url}/v1/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}` },
        body: JSON.stringify({ batch: orders }),
      });
      expect(res.status).toBe(200);

      const result = await done;
      expect(result.status).toBe("succeeded");
      const got = await arrived(api);
      const to = (subject: string) => new Set(got.filter((m) => m.Subject.endsWith(subject)).map((m) => m.To[0]!.Address.split("@")[0]!));
      const thanks = to("thank you for your order");
      const vip = to("a VIP offer");
      const nudge = to("still thinking?");
      // Nobody got two e-mails.
      expect(got.length).toBe(thanks.size + vip.size + nudge.size + armB.size);
      expect(new Set(got.map((m) => m.To[0]!.Address)).size).toBe(got.length);
      // Arm A: everyone got exactly one of thanks / VIP / nudge; the control group got nothing.
      const armA = new Set([...thanks, ...vip, ...nudge]);
      expect(armA.size).toBe(arms.arms.A);
      const control = ids.filter((id) => !armA.has(id) && !armB.has(id));
      expect(control.length).toBe(arms.control);
      // Released: exactly the arm A customers who ordered for more than 10.
      const ordered = new Set(orders.filter((o) => o.properties.total > 10).map((o) => o.userId));
      expect([...thanks].sort()).toEqual([...armA].filter((id) => ordered.has(id)).sort());
      // The rest of arm A timed out and branched on the trait.
      const timedOut = [...armA].filter((id) => !ordered.has(id));
      expect([...vip].sort()).toEqual(timedOut.filter((id) => isVip(Number(id.slice(1)))).sort());
      expect([...nudge].sort()).toEqual(timedOut.filter((id) => !isVip(Number(id.slice(1)))).sort());
      // Released by their event, not by the timeout: the thank-you e-mails arrived well before it.
      const thankedAt = got.filter((m) => m.Subject.endsWith("thank you for your order")).map((m) => Date.parse((m as MailpitSummary & { Created: string }).Created));
      const latest = Math.max(...thankedAt) - sent;
      console.log(`order accepted -> thank-you e-mail received: at most ${latest} ms for ${thanks.size} customers (timeout ${TIMEOUT_S} s)`);
      expect(latest).toBeLessThan(TIMEOUT_S * 1000 - 5_000);
    } finally {
      await connection.close();
    }
  }, 150_000);
});
