// Customer profiles on both backends (a real SQLite file, and a real PostgreSQL server from
// Debian's package): identity resolution as the worker's pump applies inbox events
// (triggers.applyProfiles), trait merging, the time zone from the browser, traits written by
// flows, search, the timeline, and the flow runs a customer was in.
import { beforeEach, describe, expect, it } from "vitest";
import { events, flows, profiles, runs, triggers, type Store } from "./index";
import { bothBackends } from "./test-backends";
import type { NewInboxRow } from "./events";

const backends = bothBackends("profiles");

const T0 = Date.UTC(2026, 0, 1);
let message = 0;

/** An inbox row the way the ingest API stores one (server/ingest/events.ts normalise): the payload is the event as sent. */
function ev(
  type: NewInboxRow["type"],
  who: { userId?: string; anonymousId?: string },
  at: number,
  payload: Record<string, unknown> = {},
  event: string | null = null,
): NewInboxRow {
  const messageId = `m-${++message}`;
  return {
    sourceId: "src-test",
    messageId,
    type,
    event,
    userId: who.userId ?? null,
    anonymousId: who.anonymousId ?? null,
    timestamp: T0 + at,
    receivedAt: T0 + at,
    payload: { type, messageId, ...who, ...(event ? { event } : {}), ...payload, timestamp: new Date(T0 + at).toISOString() },
  };
}
const track = (who: { userId?: string; anonymousId?: string }, at: number, event: string, properties: Record<string, unknown> = {}, context?: Record<string, unknown>) =>
  ev("track", who, at, { properties, ...(context ? { context } : {}) }, event);
const identify = (who: { userId?: string; anonymousId?: string }, at: number, traits: Record<string, unknown>, context?: Record<string, unknown>) =>
  ev("identify", who, at, { traits, ...(context ? { context } : {}) });
const alias = (previousId: string, userId: string, at: number) => ev("alias", { userId }, at, { previousId });

describe.each(["sqlite", "postgres"])("profiles on %s", (backend) => {
  let s: Store;

  /** Commits the rows to the inbox and lets the profile updater apply them, as the worker's pump does. */
  async function send(...rows: NewInboxRow[]) {
    await events.commit(s, [{ events: rows }]);
    await triggers.applyProfiles(s);
  }
  const profileOf = async (id: string) => {
    const pid = await profiles.byIdentity(s, id);
    expect(pid, `a profile for ${id}`).not.toBeNull();
    return profiles.get(s, pid!);
  };

  beforeEach(async () => {
    s = backends[backend]!;
    await s.use(async (q) => {
      const t = s.t;
      for (const table of [t.profiles, t.identities, t.inbox, t.inboxCursors, t.cohorts, t.nodeRuns, t.runs, t.flowVersions, t.flows]) await q.delete(table);
    });
  });

  it("joins anonymous events and a later identify with userId and anonymousId into one profile", async () => {
    await send(track({ anonymousId: "anon-1" }, 0, "Product Viewed"), track({ anonymousId: "anon-1" }, 10, "Product Added"));
    const before = await profileOf("anon-1");
    expect(before).toMatchObject({ userId: null, traits: {}, firstSeen: T0, lastSeen: T0 + 10, mergedInto: null });

    await send(identify({ userId: "u-1", anonymousId: "anon-1" }, 20, { email: "ada@example.com", name: "Ada" }), track({ userId: "u-1" }, 30, "Order Completed"));
    const p = await profileOf("u-1");
    expect(p.id).toBe(before.id);
    expect(await profiles.byIdentity(s, "anon-1")).toBe(p.id);
    expect(p).toMatchObject({ userId: "u-1", traits: { email: "ada@example.com", name: "Ada" }, firstSeen: T0, lastSeen: T0 + 30 });
    expect(p.identities.map((i) => [i.kind, i.value]).sort()).toEqual([
      ["anonymous", "anon-1"],
      ["user", "u-1"],
    ]);
    expect(await profiles.count(s)).toBe(1);
    // Applied once: running the updater again changes nothing.
    expect(await triggers.applyProfiles(s)).toMatchObject({ applied: 0 });
  });

  it("an alias merges two existing profiles: the older absorbs the newer, and the absorbed one's id leads to it", async () => {
    await send(
      identify({ anonymousId: "anon-2" }, 0, { plan: "free", color: "red", consent: { email: true } }),
      identify({ userId: "u-2" }, 100, { plan: "pro", company: "Acme", consent: { sms: false } }),
      track({ userId: "u-2" }, 500, "Order Completed"),
    );
    const older = await profileOf("anon-2");
    const newer = await profileOf("u-2");
    expect(older.id).not.toBe(newer.id);
    expect(await profiles.count(s)).toBe(2);

    // The alias's timestamp is before the newer profile's last event: that one still counts.
    await send(alias("anon-2", "u-2", 300));
    const merged = await profiles.get(s, newer.id);
    expect(merged.id).toBe(older.id);
    expect(merged).toMatchObject({
      userId: "u-2",
      mergedInto: null,
      firstSeen: T0,
      lastSeen: T0 + 500,
      // The absorber's traits win; the absorbed one's others are kept; consent joins channel by channel.
      traits: { plan: "free", color: "red", company: "Acme", consent: { email: true, sms: false } },
    });
    expect(merged.identities.map((i) => i.value).sort()).toEqual(["anon-2", "u-2"]);
    expect(await profiles.byIdentity(s, "u-2")).toBe(older.id);
    expect(await profiles.count(s)).toBe(1);
    // The absorbed profile keeps its row, pointing at the absorber, and is no longer listed.
    const [row] = await profiles.byIds(s, [newer.id]);
    expect(row!.mergedInto).toBe(older.id);
    expect((await profiles.search(s, "")).map((p) => p.id)).toEqual([older.id]);
    // Every event of both ids is on the absorber's timeline.
    expect((await profiles.timeline(s, older.id)).map((e) => e.type)).toEqual(["alias", "track", "identify", "identify"]);
    expect(await profiles.timeline(s, newer.id)).toEqual([]);
  });

  it("merges three profiles into the oldest, and an id merged twice still leads to the winner", async () => {
    await send(track({ anonymousId: "a-1" }, 0, "Seen"), track({ anonymousId: "a-2" }, 10, "Seen"), track({ anonymousId: "a-3" }, 20, "Seen"));
    const [p1, p2, p3] = await Promise.all(["a-1", "a-2", "a-3"].map(profileOf));
    await send(identify({ userId: "u-3", anonymousId: "a-3" }, 30, {}), alias("a-2", "u-3", 40));
    expect((await profileOf("u-3")).id).toBe(p2!.id);
    await send(alias("a-1", "u-3", 50));
    for (const p of [p1!, p2!, p3!]) expect((await profiles.get(s, p.id)).id).toBe(p1!.id);
    expect((await profiles.get(s, p3!.id)).identities.map((i) => i.value).sort()).toEqual(["a-1", "a-2", "a-3", "u-3"]);
    expect(await profiles.count(s)).toBe(1);
  });

  it("identify replaces top-level traits and merges consent channel by channel", async () => {
    const who = { userId: "u-4" };
    await send(identify(who, 0, { plan: "free", address: { city: "Paris", zip: "75001" }, consent: { email: true, sms: true } }));
    await send(identify(who, 10, { plan: "pro", address: { city: "Lyon" }, consent: { sms: false, push: true } }));
    expect((await profileOf("u-4")).traits).toEqual({ plan: "pro", address: { city: "Lyon" }, consent: { email: true, sms: false, push: true } });
    // Consent that is not an object replaces, like any other trait.
    await send(identify(who, 20, { consent: "all" }));
    expect((await profileOf("u-4")).traits.consent).toBe("all");
    // Track events carry properties, not traits.
    await send(track(who, 30, "Order Completed", { plan: "enterprise" }));
    expect((await profileOf("u-4")).traits.plan).toBe("pro");
  });

  it("the browser's time zone (context.timezone) fills the timezone trait only when no trait sets it", async () => {
    await send(track({ anonymousId: "anon-5" }, 0, "Page", {}, { timezone: "Europe/Paris" }));
    expect((await profileOf("anon-5")).traits).toEqual({ timezone: "Europe/Paris" });
    // Already set: another browser's zone does not change it.
    await send(track({ anonymousId: "anon-5" }, 10, "Page", {}, { timezone: "America/New_York" }));
    expect((await profileOf("anon-5")).traits.timezone).toBe("Europe/Paris");
    // A trait sets it, whatever the context says.
    await send(identify({ anonymousId: "anon-5" }, 20, { timezone: "Asia/Tokyo" }, { timezone: "Europe/Berlin" }));
    expect((await profileOf("anon-5")).traits.timezone).toBe("Asia/Tokyo");
    await send(track({ anonymousId: "anon-5" }, 30, "Page", {}, { timezone: "Europe/Paris" }));
    expect((await profileOf("anon-5")).traits.timezone).toBe("Asia/Tokyo");

    // The trait first, then a browser's zone: the trait stays.
    await send(identify({ userId: "u-5" }, 0, { timezone: "Australia/Sydney" }), track({ userId: "u-5" }, 10, "Page", {}, { timezone: "Europe/Paris" }));
    expect((await profileOf("u-5")).traits).toEqual({ timezone: "Australia/Sydney" });
    expect(Object.keys((await profileOf("u-5")).traits)).not.toContain("$context_timezone");
  });

  it("writeTraits creates a profile for a new userId and updates an existing one", async () => {
    await send(identify({ userId: "u-6" }, 0, { email: "bo@example.com", consent: { email: true } }));
    const existing = await profileOf("u-6");
    expect(
      await profiles.writeTraits(s, [
        { userId: "u-6", traits: { score: 0.9, consent: { sms: true } } },
        { userId: "u-new", traits: { score: 0.1 } },
        { userId: "  ", traits: { ignored: true } },
      ]),
    ).toBe(2);
    const updated = await profileOf("u-6");
    expect(updated.id).toBe(existing.id);
    expect(updated.traits).toEqual({ email: "bo@example.com", score: 0.9, consent: { email: true, sms: true } });
    // A flow writing a detail is not a sighting of the customer: when they were seen stays as it was.
    expect(updated).toMatchObject({ firstSeen: T0, lastSeen: T0 });
    const created = await profileOf("u-new");
    expect(created).toMatchObject({ userId: "u-new", traits: { score: 0.1 } });
    expect(created.firstSeen).toBe(created.lastSeen);
    expect(Math.abs(created.firstSeen - Date.now())).toBeLessThan(60_000);
    expect(created.identities.map((i) => [i.kind, i.value])).toEqual([["user", "u-new"]]);
    expect(await profiles.count(s)).toBe(2);
  });

  it("search finds by e-mail (any case), another trait value, a userId or anonymous id, or the profile id", async () => {
    await send(
      identify({ userId: "u-7", anonymousId: "anon-77" }, 0, { email: "Carla@Example.com", name: "Carla Diaz", plan: "pro_annual" }),
      identify({ userId: "u-8" }, 10, { email: "dan@example.org", name: "Dan", plan: "free" }),
      track({ anonymousId: "visitor-9" }, 20, "Page"),
    );
    const carla = await profileOf("u-7");
    const dan = await profileOf("u-8");
    const visitor = await profileOf("visitor-9");
    const ids = async (text: string) => (await profiles.search(s, text)).map((p) => p.id);

    expect(await ids("carla@example")).toEqual([carla.id]);
    expect(await ids("EXAMPLE")).toEqual([dan.id, carla.id]); // the most recently seen first
    expect(await ids("diaz")).toEqual([carla.id]);
    expect(await ids("anon-7")).toEqual([carla.id]);
    expect(await ids("visitor")).toEqual([visitor.id]);
    expect(await ids("u-8")).toEqual([dan.id]);
    expect(await ids(visitor.id)).toEqual([visitor.id]);
    // Trait names are not searched; like's wildcards are plain characters.
    expect(await ids("email")).toEqual([]);
    expect(await ids("%")).toEqual([]);
    expect(await ids("pro_")).toEqual([carla.id]);
    expect(await ids("pro%")).toEqual([]);
    expect(await ids("nobody")).toEqual([]);
    // Empty: everyone, the most recently seen first, up to the limit.
    expect(await ids("  ")).toEqual([visitor.id, dan.id, carla.id]);
    expect((await profiles.search(s, "", 2)).map((p) => p.id)).toEqual([visitor.id, dan.id]);
  });

  it("the timeline has the events of all of a profile's ids, newest first, and no one else's", async () => {
    await send(
      track({ anonymousId: "anon-10" }, 0, "Product Viewed"),
      track({ anonymousId: "someone-else" }, 5, "Product Viewed"),
      identify({ userId: "u-10", anonymousId: "anon-10" }, 10, { email: "eve@example.com" }),
      track({ userId: "u-10" }, 20, "Order Completed", { total: 30 }),
      // An alias from an id never seen before records it as anonymous; events sent later with it as
      // their userId are this customer's too.
      alias("legacy-10", "u-10", 30),
      track({ userId: "legacy-10" }, 40, "Support Ticket"),
    );
    const p = await profileOf("u-10");
    expect(await profiles.byIdentity(s, "legacy-10")).toBe(p.id);
    const timeline = await profiles.timeline(s, p.id);
    expect(timeline.map((e) => [e.type, e.event])).toEqual([
      ["track", "Support Ticket"],
      ["alias", null],
      ["track", "Order Completed"],
      ["identify", null],
      ["track", "Product Viewed"],
    ]);
    expect(timeline.every((e) => e.anonymousId !== "someone-else")).toBe(true);
    expect(timeline.map((e) => e.position)).toEqual([...timeline.map((e) => e.position)].sort((a, b) => b - a));
    expect((await profiles.timeline(s, p.id, 2)).map((e) => e.event)).toEqual(["Support Ticket", null]);
  });

  it("cohortsOf: the flow runs a customer was in, by audience membership or by their events", async () => {
    await send(
      track({ anonymousId: "anon-11" }, 0, "Cart Abandoned"),
      track({ userId: "u-12" }, 5, "Cart Abandoned"),
      identify({ userId: "u-11", anonymousId: "anon-11" }, 10, {}),
      track({ userId: "u-11" }, 20, "Order Completed"),
    );
    const p = await profileOf("u-11");
    const other = await profileOf("u-12");
    const inbox = await events.readInbox(s);
    const pos = (event: string, id: string) => inbox.find((e) => e.event === event && (e.userId === id || e.anonymousId === id))!.position;

    const winback = await flows.create(s, { name: "Win back", nodes: [], edges: [] });
    const welcome = await flows.create(s, { name: "Welcome", nodes: [], edges: [] });
    const cohort = (id: string, flowId: string, kind: "event" | "audience", members: (string | number)[], createdAt: number, detail: Record<string, unknown> | null = null) =>
      s.use(async (q) => {
        await q.insert(s.t.cohorts).values({ id, flowId, flowVersionId: `${flowId}@1`, nodeId: "trigger", kind, members, detail, size: members.length, firstAt: null, lastAt: null, createdAt });
      });
    // Events: one cohort with the anonymous event (before identify), one with someone else's only.
    await cohort("run-ev-1", winback.flowId, "event", [pos("Cart Abandoned", "anon-11"), pos("Cart Abandoned", "u-12")], T0 + 100);
    await cohort("run-ev-2", winback.flowId, "event", [pos("Cart Abandoned", "u-12")], T0 + 200);
    // Audiences: entered, then left; and one without them.
    await cohort("run-aud-1", welcome.flowId, "audience", [other.id, p.id], T0 + 300, { [other.id]: "entered", [p.id]: "entered" });
    await cohort("run-aud-2", welcome.flowId, "audience", [p.id], T0 + 400, { [p.id]: "left" });
    await cohort("run-aud-3", welcome.flowId, "audience", [other.id], T0 + 500, { [other.id]: "entered" });
    await runs.create(s, {
      runId: "run-ev-1",
      flowId: winback.flowId,
      flowVersionId: winback.versionId,
      flowVersion: 1,
      triggerKind: "event",
      workflowId: "run-run-ev-1",
      temporalUrl: "http://temporal/run-ev-1",
      nodes: [],
    });

    const found = await profiles.cohortsOf(s, p.id);
    expect(found).toEqual([
      { runId: "run-aud-2", flowId: "welcome", flowName: "Welcome", kind: "audience", at: T0 + 400, change: "left", runStatus: null, error: null },
      { runId: "run-aud-1", flowId: "welcome", flowName: "Welcome", kind: "audience", at: T0 + 300, change: "entered", runStatus: null, error: null },
      { runId: "run-ev-1", flowId: "win-back", flowName: "Win back", kind: "event", at: T0 + 100, change: null, runStatus: "queued", error: null },
    ]);
    expect((await profiles.cohortsOf(s, other.id)).map((c) => c.runId)).toEqual(["run-aud-3", "run-aud-1", "run-ev-2", "run-ev-1"]);
    expect(await profiles.cohortsOf(s, p.id, 1)).toHaveLength(1);

    // Merged: the absorbed profile's audience cohorts become the absorber's.
    await send(alias("u-12", "u-11", 50));
    const winner = await profileOf("u-11");
    const loser = winner.id === p.id ? other : p;
    expect((await profiles.get(s, loser.id)).id).toBe(winner.id);
    expect((await profiles.cohortsOf(s, winner.id)).map((c) => c.runId)).toEqual(["run-aud-3", "run-aud-2", "run-aud-1", "run-ev-2", "run-ev-1"]);
  });
});
