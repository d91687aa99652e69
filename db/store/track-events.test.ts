// events.trackEvents on both backends: the track events of one name in a time span, in inbox order,
// paged by position, each with the profile its userId (else anonymousId) belongs to now.
import { describe, expect, it } from "vitest";
import { events, profiles, triggers } from "./index";
import type { NewInboxRow } from "./events";
import { BACKENDS, bothBackends } from "./test-backends";

const backends = bothBackends("track-events");
const T0 = Date.UTC(2026, 0, 1);
let message = 0;

function ev(type: NewInboxRow["type"], who: { userId?: string; anonymousId?: string }, at: number, event: string | null, properties: Record<string, unknown> = {}): NewInboxRow {
  const messageId = `m-${++message}`;
  return { sourceId: "src", messageId, type, event, userId: who.userId ?? null, anonymousId: who.anonymousId ?? null, timestamp: T0 + at, receivedAt: T0 + at, payload: { type, messageId, ...who, properties } };
}

describe.each(BACKENDS)("events.trackEvents on %s", (backend) => {
  it("reads one event's track events in a span, with their profiles, page by page", async () => {
    const s = backends[backend]!;
    await profiles.writeTraits(s, [{ userId: "u1", traits: {} }]);
    await events.commit(s, [{ events: [ev("identify", { userId: "u2", anonymousId: "a2" }, 0, null)] }]);
    await triggers.applyProfiles(s);
    const p1 = await profiles.byIdentity(s, "u1");
    const p2 = await profiles.byIdentity(s, "u2");
    await events.commit(s, [
      {
        events: [
          ev("track", { userId: "u1" }, 10, "Order Completed", { total: 5 }),
          ev("track", { anonymousId: "a2" }, 20, "Order Completed"),
          ev("track", { userId: "u9" }, 30, "Order Completed"),
          ev("page", { userId: "u1" }, 40, "Order Completed"),
          ev("track", { userId: "u1" }, 50, "Page Viewed"),
          ev("track", { userId: "u1" }, 5_000, "Order Completed"),
        ],
      },
    ]);
    const all = await events.trackEvents(s, { event: "Order Completed", since: T0 + 10, until: T0 + 1_000 });
    expect(all.map((e) => [e.userId ?? e.anonymousId, e.profileId])).toEqual([
      ["u1", p1],
      ["a2", p2],
      ["u9", null],
    ]);
    expect(all[0]!.payload).toMatchObject({ properties: { total: 5 } });
    const first = await events.trackEvents(s, { event: "Order Completed", limit: 2 });
    const rest = await events.trackEvents(s, { event: "Order Completed", after: first.at(-1)!.position, limit: 2 });
    expect([...first, ...rest].map((e) => e.timestamp - T0)).toEqual([10, 20, 30, 5_000]);
  });
});
