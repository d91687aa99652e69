// Which events a trigger takes and when they become a cohort, on hand-made inbox rows.
import { describe, expect, it } from "vitest";
import type { InboxRow } from "../../db/store/events";
import { decide, takes } from "./cohorts";

const row = (position: number, over: Partial<InboxRow> = {}): InboxRow => ({
  position,
  sourceId: "src",
  messageId: `m${position}`,
  type: "track",
  event: "Order Completed",
  userId: `u${position}`,
  anonymousId: null,
  timestamp: 1_000,
  receivedAt: 10_000 + position,
  payload: { properties: { total: position * 10, plan: "pro" } },
  unplanned: false,
  ...over,
});

const trigger = (config: Record<string, unknown>, position = 0) => ({ kind: "event" as const, flowId: "f", config, position });
const none = () => undefined;

describe("takes", () => {
  it("matches the event name and type, and property conditions", () => {
    const t = trigger({ event: "Order Completed", conditions: [{ on: "property", field: "total", operator: ">", value: "25" }] });
    expect(takes(t, row(2), none)).toBe(false); // total 20
    expect(takes(t, row(3), none)).toBe(true); // total 30
    expect(takes(t, row(3, { event: "Product Viewed" }), none)).toBe(false);
    expect(takes(t, row(3, { type: "page" }), none)).toBe(false);
  });

  it("reads profile traits only through the given lookup", () => {
    const t = trigger({ event: "", conditions: [{ on: "trait", field: "consent.email", operator: "=", value: "yes" }] });
    expect(takes(t, row(1), () => ({ consent: { email: true } }))).toBe(true);
    expect(takes(t, row(1), () => ({ consent: { email: false } }))).toBe(false);
    expect(takes(t, row(1), none)).toBe(false);
  });

  it("takes a flow's own webhook calls only", () => {
    const t = { kind: "webhook" as const, flowId: "f", config: {}, position: 0 };
    expect(takes(t, row(1, { type: "webhook", sourceId: "webhook:f" }), none)).toBe(true);
    expect(takes(t, row(1, { type: "webhook", sourceId: "webhook:g" }), none)).toBe(false);
    expect(takes(t, row(1), none)).toBe(false);
  });
});

describe("decide", () => {
  const t = trigger({ cohortSeconds: 1, cohortSize: 3 }, 10);

  it("waits while the first taken event is younger than the window and the cohort is not full", () => {
    const read = [row(11), row(12)];
    expect(decide(t, read, read, 10_011 + 999)).toEqual({ kind: "wait" });
  });

  it("closes a cohort when the window has passed, spanning everything read", () => {
    const read = [row(11), row(12), row(13, { event: "x" })];
    const d = decide(t, read, read.slice(0, 2), 10_011 + 1000);
    expect(d).toEqual({ kind: "cohort", to: 13, cohort: { id: "f-11-13", members: [11, 12], detail: null, size: 2, firstAt: 10_011, lastAt: 10_012 } });
  });

  it("closes a full cohort at once, up to its last member", () => {
    const read = [row(11), row(12), row(13), row(14)];
    const d = decide(t, read, read, 10_011);
    expect(d.kind === "cohort" && [d.to, d.cohort.id, d.cohort.members]).toEqual([13, "f-11-13", [11, 12, 13]]);
  });

  it("moves past events it does not take, and does nothing on an empty read", () => {
    expect(decide(t, [row(11), row(12)], [], 0)).toEqual({ kind: "advance", to: 12 });
    expect(decide(t, [], [], 0)).toEqual({ kind: "wait" });
  });
});
