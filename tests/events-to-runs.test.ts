// Events in, runs out, with the real processes: Segment's Node library (and single calls) send
// 10,000 events to the ingest process; the worker's inbox pump builds customer profiles and
// delivers the matching events to an event-triggered flow in cohorts, each one run; every matching
// event reaches the flow exactly once, and invalid events are kept with their reasons.
import { Analytics } from "@segment/analytics-node";
import { DuckDBInstance } from "@duckdb/node-api";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { events, profiles, runs, triggers } from "../db/store";
import { freePort } from "../lib/dev-server";
import { loadRegistry } from "../nodes/registry";
import { asRole } from "../server/api/routers/test-support";
import { saveFlowVersion } from "../server/services/flows";
import { createSource } from "../server/services/sources";
import { savePlanEntry } from "../server/services/tracking-plan";
import { applyTrigger } from "../server/services/triggers";
import { startIngest, type IngestProcess } from "./support-process";
import { testEnv, testStore } from "./support";

let ingest: IngestProcess | undefined;
const store = testStore();

beforeAll(async () => {
  ingest = await startIngest(testEnv(), await freePort());
}, 90_000);

afterAll(async () => {
  await ingest?.stop();
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${ingest?.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The message ids in a dataset file (the trigger node's output). */
async function messageIdsIn(files: string[]): Promise<string[]> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    const out: string[] = [];
    for (const f of files) {
      const r = await c.runAndReadAll(`SELECT message_id FROM read_parquet('${f.replace(/'/g, "''")}')`);
      out.push(...r.getRowObjects().map((x) => String(x.message_id)));
    }
    return out;
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

describe("events become runs in cohorts", () => {
  it("delivers each of 10,000 events' matches once, builds profiles, and keeps invalid events with reasons", async () => {
    const admin = asRole("admin");
    const { writeKey, id: sourceId } = await createSource(store, admin, { name: "shop-cohorts" });
    await savePlanEntry(store, admin, {
      event: "Checkout Paid",
      schema: { type: "object", properties: { total: { type: "number", minimum: 0 } }, required: ["total"] },
    });
    const registry = await loadRegistry();
    const graph = {
      id: "big-orders",
      name: "Big orders",
      nodes: [
        {
          id: "orders",
          type: "trigger.event@1",
          position: { x: 0, y: 0 },
          config: { event: "Checkout Paid", conditions: [{ on: "property", field: "total", operator: ">", value: "50" }], cohortSeconds: 1, cohortSize: 400 },
        },
        { id: "pass", type: "control.passthrough@1", position: { x: 200, y: 0 }, config: {} },
      ],
      edges: [{ source: "orders", sourceHandle: "events", target: "pass", targetHandle: "rows" }],
    };
    const saved = await saveFlowVersion(store, registry, graph, { flowId: "big-orders" });
    await applyTrigger(store, registry, null, saved, graph as never);
    expect((await triggers.forFlow(store, "big-orders"))?.kind).toBe("event");

    // 6,000 checkouts (total 0..99: 49 in each hundred are over 50), 2,000 page-like tracks,
    // 1,700 identifies joining anonymous ids to users, 200 invalid checkouts, 100 single calls.
    const analytics = new Analytics({ writeKey, host: ingest!.url, flushAt: 100, flushInterval: 100, maxRetries: 20 });
    for (let i = 0; i < 6_000; i++) analytics.track({ anonymousId: `anon-${i % 500}`, event: "Checkout Paid", properties: { total: i % 100 }, messageId: `c-${i}` });
    for (let i = 0; i < 2_000; i++) analytics.track({ userId: `user-${i % 500}`, event: "Product Viewed", properties: { sku: `s${i}` }, messageId: `v-${i}` });
    for (let i = 0; i < 1_700; i++) {
      analytics.identify({ userId: `user-${i % 500}`, anonymousId: `anon-${i % 500}`, traits: { email: `user-${i % 500}@example.com`, visits: i }, messageId: `i-${i}` });
    }
    for (let i = 0; i < 200; i++) analytics.track({ anonymousId: "anon-bad", event: "Checkout Paid", properties: { total: "lots" }, messageId: `bad-${i}` });
    for (let i = 0; i < 300; i++) analytics.track({ anonymousId: `anon-${i}`, event: "Checkout Paid", properties: { total: i % 100 }, messageId: `c-${i}` }); // resent
    await analytics.closeAndFlush({ timeout: 90_000 });
    const auth = `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`;
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${ingest!.url}/v1/track`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: auth },
        body: JSON.stringify({ userId: `user-${i}`, event: "Checkout Paid", properties: { total: 75 }, messageId: `single-${i}` }),
      });
      expect(res.status).toBe(200);
    }

    // Stored once each: 10,000 sent (the 300 resent are not stored again), of which 200 failed the plan.
    const inbox = (await events.readInbox(store, 0, 100_000)).filter((r) => r.sourceId === sourceId);
    expect(inbox.length).toBe(9_800);
    expect(new Set(inbox.map((r) => r.messageId)).size).toBe(9_800);
    const failed = (await events.listFailed(store, { sourceId, limit: 1000 })).filter((f) => f.messageId?.startsWith("bad-"));
    expect(failed.length).toBe(200);
    expect(failed[0]!.reasons).toEqual([expect.objectContaining({ path: "properties.total", rule: "type" })]);

    // The matches, worked out here from what was sent: totals 51..99 of the 6,000, and the 100 singles.
    const expected = new Set([...Array.from({ length: 6_000 }, (_, i) => i).filter((i) => i % 100 > 50).map((i) => `c-${i}`), ...Array.from({ length: 100 }, (_, i) => `single-${i}`)]);
    expect(expected.size).toBe(2_940 + 100);

    const cohorts = await until("every match in a started cohort", async () => {
      const list = await triggers.cohortsOf(store, "big-orders");
      return list.reduce((n, c) => n + c.size, 0) >= expected.size && list.every((c) => c.startedAt !== null) && list;
    });
    const positions = cohorts.flatMap((c) => c.members as number[]);
    expect(new Set(positions).size).toBe(positions.length);
    expect(positions.length).toBe(expected.size);
    expect(cohorts.every((c) => c.size <= 400 && c.error === null)).toBe(true);

    const flowRuns = await until("the cohorts' runs to finish", async () => {
      const rs = await runs.list(store, { flowId: "big-orders", limit: 1000 });
      return rs.length === cohorts.length && rs.every((r) => r.status === "succeeded") && rs;
    });
    expect(new Set(flowRuns.map((r) => r.id))).toEqual(new Set(cohorts.map((c) => c.id)));
    expect(flowRuns.every((r) => r.triggerKind === "event")).toBe(true);

    // What the flow received: the trigger node's outputs, read back from their Parquet files.
    const files: string[] = [];
    for (const r of flowRuns) {
      const node = await runs.node(store, r.id, "orders");
      const out = (node.outputs as Record<string, { path: string }>).events!;
      files.push(path.join(inject("dataDir"), out.path));
    }
    const received = await messageIdsIn(files);
    expect(received.length).toBe(expected.size);
    expect(new Set(received)).toEqual(expected);

    const one = await runs.row(store, flowRuns[0]!.id);
    expect(one.trigger).toMatchObject({ kind: "event", source: "shop-cohorts", cohortId: one.id });
    expect(one.trigger!.size).toBeGreaterThan(0);
    expect(one.trigger!.firstAt).toBeLessThanOrEqual(one.trigger!.lastAt!);

    // Identity: each user's anonymous checkouts and signed-in views are one profile, with the traits.
    const pid = await until("profiles to catch up", async () => {
      const id = await profiles.byIdentity(store, "anon-7");
      return id !== null && id === (await profiles.byIdentity(store, "user-7")) ? id : undefined;
    });
    const p = await profiles.get(store, pid);
    expect(p.traits).toMatchObject({ email: "user-7@example.com" });
    expect(p.identities.map((i) => i.value).sort()).toEqual(["anon-7", "user-7"]);
    const timeline = await profiles.timeline(store, pid, 1000);
    expect(timeline.filter((e) => e.event === "Checkout Paid").length).toBe(13); // c-7, c-507, ... c-5507 as anon-7, and single-7 as user-7
  }, 300_000);
});
