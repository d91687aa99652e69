import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, flows, profiles, runs, triggers } from "../../db/store";
import type { NewInboxRow } from "../../db/store/events";
import { harness, type Harness } from "../../tests/harness";
import type { DatasetRef, LedgerEntry, NodeResult } from "../sdk";
import outcomes from "./outcomes.node.ts";

const DAY = 86_400_000;
let h: Harness;
let flowId: string;
let otherFlow: string;
/** Before any decision is recorded: events are placed relative to it. */
let T: number;
let message = 0;

function track(who: { userId?: string; anonymousId?: string }, at: number, event: string, properties: Record<string, unknown> = {}): NewInboxRow {
  const messageId = `m-${++message}`;
  return {
    sourceId: "shop",
    messageId,
    type: "track",
    event,
    userId: who.userId ?? null,
    anonymousId: who.anonymousId ?? null,
    timestamp: at,
    receivedAt: at,
    payload: { type: "track", messageId, ...who, event, properties, timestamp: new Date(at).toISOString() },
  };
}

/** What an action node records, in the table as at the node's end. */
async function record(runId: string, nodeId: string, entries: LedgerEntry[]): Promise<void> {
  const ctx = h.ctx(nodeId, { runId });
  await ctx.ledger.record(entries);
  await ctx.ledger.flush();
}
const run = (config: object, runId = "run-1") => h.run(outcomes, config, {}, h.ctx("outcomes", { runId }));

interface Row {
  customer_id: string;
  profile_id: string | null;
  flow_id: string;
  node_id: string;
  channel: string;
  status: string;
  arm: string | null;
  model_name: string | null;
  model_version: number | null;
  score: number | null;
  converted: boolean;
  outcomes: bigint;
  value: number | null;
  window_closed: boolean;
}
async function rowsOf(res: NodeResult): Promise<Map<string, Row>> {
  const ds = h.ctx("check").datasets;
  const rows = await ds.query<Row>(`SELECT * FROM ${ds.from(res.outputs.rows as DatasetRef)}`);
  return new Map(rows.map((r) => [`${r.node_id}/${r.customer_id}`, r]));
}

beforeAll(async () => {
  h = harness();
  const flow = await flows.create(h.store, { name: "Outcomes test", nodes: [], edges: [] });
  const other = await flows.create(h.store, { name: "Another flow", nodes: [], edges: [] });
  flowId = flow.flowId;
  otherFlow = other.flowId;
  for (const [runId, f] of [["run-1", flow], ["run-2", other]] as const) {
    await runs.create(h.store, { runId, flowId: f.flowId, flowVersionId: f.versionId, flowVersion: 1, triggerKind: "manual", workflowId: `wf-${runId}`, temporalUrl: "http://temporal.test", nodes: [] });
  }
  // u1..u5 have profiles; u3 was also seen as anon-3 (one profile); u6 has none yet.
  await profiles.writeTraits(h.store, ["u1", "u2", "u3", "u4", "u5"].map((userId) => ({ userId, traits: {} })));
  await events.commit(h.store, [{ events: [{ ...track({ userId: "u3", anonymousId: "anon-3" }, Date.now(), "Signed In"), type: "identify", event: null }] }]);
  await triggers.applyProfiles(h.store);

  T = Date.now();
  const model = { name: "churn", version: 2, score: 0.8 };
  await record("run-1", "email", [
    { customer: "u1", channel: "email", status: "sent", arm: "A", model },
    { customer: "u2", channel: "email", status: "sent", arm: "A" },
    { customer: "u3", channel: "email", status: "sent", arm: "A" },
    { customer: "u6", channel: "email", status: "suppressed", reason: "no consent", arm: "A" },
  ]);
  await record("run-1", "split", [
    { customer: "u4", channel: "holdout", status: "suppressed", reason: "control group", arm: "control" },
    { customer: "u5", channel: "holdout", status: "suppressed", reason: "control group", arm: "control" },
  ]);
  await record("run-1", "hook", [{ customer: "u1", channel: "webhook", status: "sent" }]);
  await record("run-2", "email", [{ customer: "u2", channel: "email", status: "sent" }]);

  await events.commit(h.store, [
    {
      events: [
        track({ userId: "u1" }, T + 1 * DAY, "Order Completed", { total: 30 }),
        track({ userId: "u1" }, T + 2 * DAY, "Order Completed", { total: "12.5" }),
        track({ userId: "u2" }, T - 1 * DAY, "Order Completed", { total: 99 }), // before the decision
        track({ userId: "u2" }, T + 20 * DAY, "Order Completed", { total: 40 }), // after a 14-day window
        track({ anonymousId: "anon-3" }, T + 3 * DAY, "Order Completed", { total: 5 }), // through the profile
        track({ userId: "u4" }, T + 1 * DAY, "Order Completed", { total: 50, order: { coupon: "SAVE" } }),
        track({ userId: "u5" }, T + 1 * DAY, "Page Viewed", { total: 70 }), // another event
        track({ userId: "u6" }, T + DAY / 24, "Order Completed", { total: 20 }), // no profile: by user id
      ],
    },
  ]);
});
afterAll(() => h.close());

describe("source.outcomes", () => {
  it("joins each decision of this flow with the outcome events in its window, by profile or else by user id", async () => {
    const res = await run({ event: "Order Completed", valueProperty: "total" });
    const rows = await rowsOf(res);
    expect([...rows.keys()].sort()).toEqual(["email/u1", "email/u2", "email/u3", "email/u6", "hook/u1", "split/u4", "split/u5"]);
    const pick = (k: string) => {
      const r = rows.get(k)!;
      return { converted: r.converted, outcomes: Number(r.outcomes), value: r.value };
    };
    expect(pick("email/u1")).toEqual({ converted: true, outcomes: 2, value: 42.5 });
    expect(pick("hook/u1")).toEqual({ converted: true, outcomes: 2, value: 42.5 });
    expect(pick("email/u2")).toEqual({ converted: false, outcomes: 0, value: 0 });
    expect(pick("email/u3")).toEqual({ converted: true, outcomes: 1, value: 5 });
    expect(pick("split/u4")).toEqual({ converted: true, outcomes: 1, value: 50 });
    expect(pick("split/u5")).toEqual({ converted: false, outcomes: 0, value: 0 });
    expect(pick("email/u6")).toEqual({ converted: true, outcomes: 1, value: 20 });
    expect(rows.get("email/u6")!.profile_id).toBeNull();
    expect(rows.get("email/u1")).toMatchObject({ flow_id: flowId, channel: "email", status: "sent", arm: "A", model_name: "churn", model_version: 2, score: 0.8, window_closed: false });
    expect(rows.get("split/u4")).toMatchObject({ channel: "holdout", status: "suppressed", arm: "control" });
    // Events read: those in the span of the decisions and their windows (not the one before, nor the one 20 days after).
    expect(res.metrics).toMatchObject({ decisions: 7, converted: 5, outcomeEvents: 5, windowDays: 14 });
    expect((res.metrics as { byArm: unknown[] }).byArm).toContainEqual({ arm: "control", decisions: 2, converted: 1, rate: 0.5 });
  });

  it("tests the events' properties, and widens or narrows the window", async () => {
    const tested = await rowsOf(await run({ event: "Order Completed", conditions: [{ field: "total", operator: ">", value: "10" }] }));
    expect(tested.get("email/u3")!.converted).toBe(false);
    expect(tested.get("email/u1")!.converted).toBe(true);
    expect(tested.get("email/u1")!.value).toBeNull();
    const nested = await rowsOf(await run({ event: "Order Completed", conditions: [{ field: "order.coupon", operator: "=", value: "SAVE" }] }));
    expect([...nested.values()].filter((r) => r.converted).map((r) => r.customer_id)).toEqual(["u4"]);
    const wide = await rowsOf(await run({ event: "Order Completed", days: 30, valueProperty: "total" }));
    expect(wide.get("email/u2")).toMatchObject({ converted: true, value: 40 });
    const narrow = await rowsOf(await run({ event: "Order Completed", days: 1.5 }));
    expect([...narrow.values()].filter((r) => r.converted).map((r) => `${r.node_id}/${r.customer_id}`).sort()).toEqual(["email/u1", "email/u6", "hook/u1", "split/u4"]);
  });

  it("filters the decisions by flow and channel, keeping the control group with a channel", async () => {
    const email = await rowsOf(await run({ event: "Order Completed", channel: "email" }));
    expect([...email.keys()].sort()).toEqual(["email/u1", "email/u2", "email/u3", "email/u6", "split/u4", "split/u5"]);
    const other = await run({ event: "Order Completed", flows: "one flow", flowId: otherFlow });
    expect([...(await rowsOf(other)).values()].map((r) => [r.customer_id, r.converted])).toEqual([["u2", false]]);
    const all = await run({ event: "Order Completed", flows: "every flow" });
    expect(all.metrics).toMatchObject({ decisions: 8 });
  });

  it("leaves out decisions whose window is still open when asked, and gives an empty table with its columns", async () => {
    const res = await run({ event: "Order Completed", closedWindowsOnly: true });
    const out = res.outputs.rows as DatasetRef;
    expect(out.rows).toBe(0);
    expect(out.columns.map((c) => c.name)).toEqual([
      "customer_id", "profile_id", "flow_id", "flow_version", "run_id", "node_id", "channel", "status", "reason", "arm",
      "model_name", "model_version", "score", "decided_at", "converted", "outcomes", "value", "window_closed",
    ]);
    expect(res.metrics).toMatchObject({ decisions: 0, converted: 0, conversionRate: null, outcomeEvents: 0 });
  });

  it("refuses a missing flow id and event, naming the field", async () => {
    await expect(run({ event: "Order Completed", flows: "one flow" })).rejects.toMatchObject({ where: "flowId" });
    await expect(run({ event: "" })).rejects.toMatchObject({ where: "event" });
  });
});
