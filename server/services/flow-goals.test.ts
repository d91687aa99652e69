// A flow's conversion goal on both backends (a real SQLite file and a real PostgreSQL server):
// decisions written to the ledger the way the split and e-mail nodes write them, goal events
// committed to the inbox the way the ingest process does, and the figures a marketer sees, worked
// out by hand: counts per arm and per path, Wilson intervals and two-proportion z-tests from their
// formulas (the p-values below were computed apart from this code: 2·(1 − Φ(|z|)), with
// z = (p₁ − p₀) / √(p̄(1 − p̄)(1/n₁ + 1/n₀)) and p̄ the pooled rate).
import { describe, expect, it } from "vitest";
import { events, flows, goals, ledger, profiles, triggers, type Store } from "../../db/store";
import type { NewInboxRow } from "../../db/store/events";
import type { NewLedgerRow } from "../../db/store/ledger";
import { BACKENDS, bothBackends } from "../../db/store/test-backends";
import { goalResults, saveGoal } from "./flow-goals";

const backends = bothBackends("flow-goals");

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 9);
const Z = 1.959963984540054;
let message = 0;

const at = { x: 0, y: 0 };
const graph = (name: string) => ({
  name,
  nodes: [
    { id: "split", type: "control.split@1", label: "Split", position: at, config: {} },
    { id: "email-a", type: "action.send-email@1", label: "E-mail A", position: at, config: {} },
    { id: "email-b", type: "action.send-email@1", label: "E-mail B", position: at, config: {} },
    { id: "thanks", type: "action.send-email@1", position: at, config: {} },
  ],
  edges: [],
});

function decision(flowId: string, runId: string, nodeId: string, customer: string, when: number, arm: string | null, profileId: string | null = null): NewLedgerRow {
  const holdout = arm === "control";
  return {
    key: `${runId}:${nodeId}:${customer}`,
    runId,
    flowId,
    flowVersion: 1,
    nodeId,
    channel: holdout ? "holdout" : "email",
    customerId: customer,
    profileId,
    status: holdout ? "suppressed" : "sent",
    reason: holdout ? "control group" : null,
    content: null,
    model: null,
    arm,
    providerId: null,
    at: when,
  };
}

function track(who: { userId?: string; anonymousId?: string }, when: number, event: string, properties: Record<string, unknown>): NewInboxRow {
  const messageId = `m-${++message}`;
  return { sourceId: "src", messageId, type: "track", event, userId: who.userId ?? null, anonymousId: who.anonymousId ?? null, timestamp: when, receivedAt: when, payload: { type: "track", messageId, ...who, event, properties } };
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/** Wilson's interval from its formula, for comparing. */
function wilson(x: number, n: number): [number, number] {
  const p = x / n;
  const c = (p + (Z * Z) / (2 * n)) / (1 + (Z * Z) / n);
  const h = (Z / (1 + (Z * Z) / n)) * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n));
  return [c - h, c + h];
}

/**
 * Control 40 (5 convert within 7 days; 2 more buy on day 8 and 1 the hour before the decision: not
 * counted), arm A 50 by "E-mail A" (15 convert, one of them known only by an anonymous id of their
 * profile; a16's order of 5 fails "total > 10"), arm B 30 by "E-mail B" (3 convert; b30 comes
 * again on day 10 and buys on day 11: their first decision's window had closed), and z1 e-mailed by
 * "thanks" with no arm.
 */
async function seed(s: Store, flowId: string) {
  await flows.saveVersion(s, graph(flowId), { flowId });
  await profiles.writeTraits(s, [{ userId: "a1", traits: {} }]);
  const link = { userId: "a1", anonymousId: "anon-a1" };
  await events.commit(s, [{ events: [{ sourceId: "src", messageId: "identify-a1", type: "identify", event: null, ...link, timestamp: T0 - DAY, receivedAt: T0 - DAY, payload: { type: "identify", messageId: "identify-a1", ...link } }] }]);
  await triggers.applyProfiles(s);
  const a1Profile = await profiles.byIdentity(s, "a1");
  expect(a1Profile).toBeTruthy();

  const rows = [
    ...ids("c", 40).map((c) => decision(flowId, "run-1", "split", c, T0, "control")),
    ...ids("a", 50).map((c) => decision(flowId, "run-1", "email-a", c, T0 + HOUR, "A", c === "a1" ? a1Profile : null)),
    ...ids("b", 30).map((c) => decision(flowId, "run-1", "email-b", c, T0 + HOUR, "B")),
    decision(flowId, "run-2", "email-b", "b30", T0 + 10 * DAY, "B"),
    decision(flowId, "run-1", "thanks", "z1", T0 + HOUR, null),
  ];
  await ledger.record(s, rows);

  const order = (total: number) => ({ total });
  await events.commit(s, [
    {
      events: [
        ...ids("c", 5).map((c) => track({ userId: c }, T0 + DAY, "Order Completed", order(20))),
        track({ userId: "c6" }, T0 + 8 * DAY, "Order Completed", order(20)),
        track({ userId: "c7" }, T0 + 7 * DAY + 1, "Order Completed", order(20)),
        track({ userId: "c8" }, T0 - HOUR, "Order Completed", order(20)),
        track({ anonymousId: "anon-a1" }, T0 + 2 * DAY, "Order Completed", order(30)),
        ...ids("a", 15)
          .slice(1)
          .map((c) => track({ userId: c }, T0 + 3 * DAY, "Order Completed", order(15))),
        track({ userId: "a16" }, T0 + 2 * DAY, "Order Completed", order(5)),
        track({ userId: "a17" }, T0 + 2 * DAY, "Page Viewed", order(50)),
        ...ids("b", 3).map((c) => track({ userId: c }, T0 + 6 * DAY, "Order Completed", order(11))),
        track({ userId: "b30" }, T0 + 11 * DAY, "Order Completed", order(40)),
      ],
    },
  ]);
  await saveGoal(s, flowId, { event: "Order Completed", conditions: [{ field: "total", operator: ">", value: "10" }], days: 7 });
}

describe.each(BACKENDS)("a flow's conversion goal on %s", (backend) => {
  it("counts conversions per arm and per path within the window, and compares each with the control group", async () => {
    const s = backends[backend]!;
    await seed(s, "promo");
    const { goal, figures } = await goalResults(s, "promo", T0 + 30 * DAY);
    expect(goal).toMatchObject({ event: "Order Completed", match: "all", days: 7, conditions: [{ on: "property", field: "total", operator: ">", value: "10" }] });
    const f = figures!;
    expect(f).toMatchObject({ decisions: 122, customers: 121, hasControl: true, withoutArm: 1, windowDays: 7 });

    const counts = (list: typeof f.arms) => list.map((g) => [g.label, g.customers, g.converted, g.pending]);
    expect(counts(f.arms)).toEqual([
      ["control", 40, 5, 0],
      ["A", 50, 15, 0],
      ["B", 30, 3, 0],
    ]);
    expect(counts(f.paths)).toEqual([
      ["control", 40, 5, 0],
      ["E-mail A", 50, 15, 0],
      ["E-mail B", 30, 3, 0],
      ["thanks", 1, 0, 0],
    ]);

    const [control, a, b] = f.arms;
    expect(control!.rate).toBeCloseTo(0.125, 12);
    expect(a!.rate).toBeCloseTo(0.3, 12);
    for (const [g, x, n] of [[control!, 5, 40], [a!, 15, 50], [b!, 3, 30]] as const) {
      const [lo, hi] = wilson(x, n);
      expect(g.ciLow).toBeCloseTo(lo, 10);
      expect(g.ciHigh).toBeCloseTo(hi, 10);
    }
    // 15/50 against 5/40: p̄ = 20/90, z = 0.175 / √(2/9 · 7/9 · (1/50 + 1/40)) = 1.98431, p = 0.047221.
    const [vsA, vsB] = f.armComparisons;
    expect(vsA).toMatchObject({ label: "A", against: "control", tooFew: false });
    expect(vsA!.difference).toBeCloseTo(0.175, 12);
    const seA = Math.sqrt((0.3 * 0.7) / 50 + (0.125 * 0.875) / 40);
    expect(vsA!.ciLow).toBeCloseTo(0.175 - Z * seA, 10);
    expect(vsA!.ciHigh).toBeCloseTo(0.175 + Z * seA, 10);
    expect(vsA!.pValue).toBeCloseTo(0.04722090400357716, 8);
    // 3/30 against 5/40: z = −0.325341, p = 0.744923; 3 converted is under 5, so flagged.
    expect(vsB).toMatchObject({ label: "B", tooFew: true });
    expect(vsB!.difference).toBeCloseTo(-0.025, 12);
    expect(vsB!.pValue).toBeCloseTo(0.7449229944710665, 8);
    // Per path: the same groups, named by their nodes; "thanks" (1 customer, none converted) is flagged.
    expect(f.pathComparisons.map((c) => [c.label, c.tooFew])).toEqual([
      ["E-mail A", false],
      ["E-mail B", true],
      ["thanks", true],
    ]);
    expect(f.pathComparisons[0]!.pValue).toBeCloseTo(0.04722090400357716, 8);
    // Events from 1 hour before the first decision are not read; the rest of "Order Completed" are (a16's too, which fails the test).
    expect(f.eventsRead).toBe(5 + 2 + 1 + 14 + 1 + 3 + 1);
  });

  it("says who may still convert while windows are open", async () => {
    const s = backends[backend]!;
    // Three days in: conversions so far are counted, the customers not converted yet are pending.
    const { figures } = await goalResults(s, "promo", T0 + 3 * DAY);
    expect(figures!.arms.map((g) => [g.label, g.converted, g.pending])).toEqual([
      ["control", 5, 35],
      ["A", 15, 35],
      ["B", 3, 27],
    ]);
  });

  it("has no comparisons without a control group, and no figures without a goal", async () => {
    const s = backends[backend]!;
    await flows.saveVersion(s, graph("no-control"), { flowId: "no-control" });
    expect(await goalResults(s, "no-control")).toEqual({ goal: null, figures: null });
    await ledger.record(s, ids("n", 4).map((c) => decision("no-control", "run-9", "email-a", c, T0, "A")));
    await saveGoal(s, "no-control", { event: "Order Completed", days: 1.5 });
    const { figures } = await goalResults(s, "no-control", T0 + 30 * DAY);
    expect(figures).toMatchObject({ hasControl: false, armComparisons: [], pathComparisons: [], arms: [{ label: "A", customers: 4, converted: 0, rate: 0 }] });
  });

  it("refuses a bad goal naming the field, and a goal for a flow that does not exist", async () => {
    const s = backends[backend]!;
    await expect(saveGoal(s, "promo", { event: " ", days: 7 })).rejects.toThrow(/Goal: event: Name the outcome event/);
    await expect(saveGoal(s, "promo", { event: "Order Completed", days: 0 })).rejects.toThrow(/Goal: days: The attribution window must be longer than 0 days/);
    await expect(saveGoal(s, "promo", { event: "Order Completed", conditions: [{ field: "total", operator: "about" }] })).rejects.toThrow(/Goal: conditions\.0\.operator/);
    await expect(saveGoal(s, "nowhere", { event: "Order Completed" })).rejects.toThrow(/No flow "nowhere"/);
    expect((await goals.get(s, "promo"))?.windowDays).toBe(7);
    await flows.remove(s, "no-control");
    expect(await goals.get(s, "no-control")).toBeNull();
  });
});
