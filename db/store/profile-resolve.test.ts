// Identity resolution a batch at a time (db/store/profile-resolve.ts), on both backends: several
// events of one customer in one batch, merges in the middle of a batch whose profiles have later
// events in it, traits set before and after a merge, merges that chain (a profile absorbed earlier,
// in this batch or before it, follows its absorber), trait writes for one userId twice in a call,
// and batches larger than one chunk of 500 values.
import { beforeEach, describe, expect, it } from "vitest";
import { events, profiles, triggers, type Store } from "./index";
import { bothBackends } from "./test-backends";
import type { NewInboxRow } from "./events";

const backends = bothBackends("profile-resolve");

const T0 = Date.UTC(2026, 0, 1);
let message = 0;
type Who = { userId?: string; anonymousId?: string };

function ev(type: NewInboxRow["type"], who: Who, at: number, payload: Record<string, unknown> = {}, event: string | null = null): NewInboxRow {
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
const track = (who: Who, at: number, context?: Record<string, unknown>) => ev("track", who, at, { properties: {}, ...(context ? { context } : {}) }, "Viewed");
const identify = (who: Who, at: number, traits: Record<string, unknown>) => ev("identify", who, at, { traits });
const alias = (previousId: string, userId: string, at: number) => ev("alias", { userId }, at, { previousId });

describe.each(["sqlite", "postgres"])("batched profile resolution on %s", (backend) => {
  let s: Store;

  /** Commits the rows to the inbox, then applies them all as one batch. */
  async function batch(...rows: NewInboxRow[]) {
    await events.commit(s, [{ events: rows }]);
    const r = await triggers.applyProfiles(s, 10_000);
    expect(r.applied).toBe(rows.length);
  }
  const pid = async (value: string) => {
    const id = await profiles.byIdentity(s, value);
    expect(id, `a profile for ${value}`).not.toBeNull();
    return id!;
  };
  const identities = (p: { identities: { kind: string; value: string }[] }) => p.identities.map((i) => `${i.kind}:${i.value}`).sort();
  const mergedInto = async (id: string) => (await profiles.byIds(s, [id]))[0]!.mergedInto;

  beforeEach(async () => {
    s = backends[backend]!;
    await s.use(async (q) => {
      for (const table of [s.t.profiles, s.t.identities, s.t.inbox, s.t.inboxCursors]) await q.delete(table);
    });
  });

  it("one customer several times in a batch: one profile, each event applied in order", async () => {
    await batch(
      track({ anonymousId: "anon-a" }, 10),
      identify({ userId: "u-a", anonymousId: "anon-a" }, 20, { plan: "free", email: "a@example.com" }),
      track({ userId: "u-a" }, 30),
      identify({ userId: "u-a" }, 40, { plan: "pro", name: "Ada" }),
      // Sent late: first seen moves back, last seen stays.
      track({ anonymousId: "anon-a" }, 5),
    );
    const p = await profiles.get(s, await pid("u-a"));
    expect(p).toMatchObject({ userId: "u-a", traits: { plan: "pro", email: "a@example.com", name: "Ada" }, firstSeen: T0 + 5, lastSeen: T0 + 40, mergedInto: null });
    expect(identities(p)).toEqual(["anonymous:anon-a", "user:u-a"]);
    expect(await profiles.count(s)).toBe(1);
  });

  it("an alias mid-batch merges two profiles of the batch, and their later events go to the absorber", async () => {
    await batch(
      track({ anonymousId: "anon-b" }, 0),
      identify({ userId: "u-b" }, 10, { company: "Acme" }),
      track({ anonymousId: "anon-b" }, 20),
      alias("anon-b", "u-b", 30),
      track({ anonymousId: "anon-b" }, 40),
      track({ userId: "u-b" }, 60),
      identify({ userId: "u-b" }, 50, { plan: "enterprise" }),
    );
    const winner = await pid("anon-b");
    expect(await pid("u-b")).toBe(winner);
    const p = await profiles.get(s, winner);
    expect(p).toMatchObject({ userId: "u-b", traits: { company: "Acme", plan: "enterprise" }, firstSeen: T0, lastSeen: T0 + 60, mergedInto: null });
    expect(identities(p)).toEqual(["anonymous:anon-b", "user:u-b"]);
    expect(await profiles.count(s)).toBe(1);
    // The absorbed profile (u-b's, created in the same batch) has its row, pointing at the absorber.
    const rows = await s.use(async (q) => q.select().from(s.t.profiles));
    expect(rows).toHaveLength(2);
    const loser = rows.find((r) => r.id !== winner)!;
    expect(loser).toMatchObject({ userId: "u-b", traits: { company: "Acme" }, firstSeen: T0 + 10, lastSeen: T0 + 10, mergedInto: winner });
  });

  it("identify traits before and after a merge: the absorber's win at the merge, later ones replace, consent joins", async () => {
    await batch(
      identify({ anonymousId: "anon-c" }, 0, { plan: "free", color: "red", consent: { email: true } }),
      identify({ userId: "u-c" }, 10, { plan: "pro", company: "Acme", consent: { sms: false } }),
      alias("anon-c", "u-c", 20),
      identify({ userId: "u-c" }, 30, { color: "blue", consent: { push: true } }),
      track({ anonymousId: "anon-c" }, 40, { timezone: "Europe/Paris" }),
    );
    const p = await profiles.get(s, await pid("u-c"));
    expect(p.traits).toEqual({ plan: "free", color: "blue", company: "Acme", consent: { email: true, sms: false, push: true }, timezone: "Europe/Paris" });
    expect(p).toMatchObject({ userId: "u-c", firstSeen: T0, lastSeen: T0 + 40 });
  });

  it("a profile created in the batch absorbs an older-known but later-seen one; later traits land on it", async () => {
    await batch(identify({ userId: "u-d" }, 100, { plan: "pro", name: "Dee" }), track({ userId: "u-d" }, 110));
    const before = await pid("u-d");
    await batch(identify({ anonymousId: "anon-d" }, 50, { plan: "free" }), alias("anon-d", "u-d", 120), identify({ userId: "u-d" }, 130, { name: "Dee D." }));
    const winner = await pid("u-d");
    expect(winner).not.toBe(before);
    expect(await pid("anon-d")).toBe(winner);
    const p = await profiles.get(s, before);
    expect(p.id).toBe(winner);
    expect(p).toMatchObject({ userId: "u-d", traits: { plan: "free", name: "Dee D." }, firstSeen: T0 + 50, lastSeen: T0 + 130 });
    expect(identities(p)).toEqual(["anonymous:anon-d", "user:u-d"]);
    expect(await mergedInto(before)).toBe(winner);
  });

  it("merges chain: a profile absorbed before the batch, or earlier in it, follows its absorber when that is absorbed", async () => {
    // Before: x-3's profile absorbed by u-2's.
    await batch(identify({ userId: "u-2", anonymousId: "x-2" }, 200, {}), track({ anonymousId: "x-3" }, 300), alias("x-3", "u-2", 310), identify({ userId: "u-9", anonymousId: "x-9" }, 900, {}));
    const p2 = await pid("u-2");
    const p9 = await pid("u-9");
    const all = () => s.use(async (q) => q.select().from(s.t.profiles));
    const p3 = (await all()).find((r) => r.mergedInto === p2)!.id;
    await batch(
      // In the batch: x-8's new profile absorbed by u-9's, then u-9's by u-1's (seen first), then u-2's by u-1's.
      track({ anonymousId: "x-8" }, 950),
      alias("x-8", "u-9", 960),
      identify({ userId: "u-1", anonymousId: "x-1" }, 0, {}),
      alias("x-9", "u-1", 970),
      alias("x-2", "u-1", 980),
      track({ anonymousId: "x-3" }, 990),
      track({ anonymousId: "x-8" }, 995),
    );
    const p1 = await pid("u-1");
    const rows = await all();
    expect(rows).toHaveLength(5);
    const p8 = rows.find((r) => ![p1, p2, p3, p9].includes(r.id))!.id;
    for (const id of [p2, p3, p8, p9]) expect(await mergedInto(id), id).toBe(p1);
    for (const v of ["x-1", "x-2", "x-3", "x-8", "x-9", "u-1", "u-2", "u-9"]) expect(await pid(v)).toBe(p1);
    const p = await profiles.get(s, p3);
    expect(p).toMatchObject({ id: p1, userId: "u-1", traits: {}, firstSeen: T0, lastSeen: T0 + 995, mergedInto: null });
    expect(identities(p)).toEqual(["anonymous:x-1", "anonymous:x-2", "anonymous:x-3", "anonymous:x-8", "anonymous:x-9", "user:u-1", "user:u-2", "user:u-9"]);
    expect(await profiles.count(s)).toBe(1);
  });

  it("writeTraits for one userId twice in a call applies both, in order", async () => {
    expect(
      await profiles.writeTraits(s, [
        { userId: "u-e", traits: { score: 1, consent: { email: true } } },
        { userId: "u-e", traits: { score: 2, consent: { sms: false } } },
      ]),
    ).toBe(2);
    const p = await profiles.get(s, await pid("u-e"));
    expect(p.traits).toEqual({ score: 2, consent: { email: true, sms: false } });
    expect(identities(p)).toEqual(["user:u-e"]);
    expect(await profiles.count(s)).toBe(1);
  });

  it("batches of more than 500 values, new identities, profiles and merges", async () => {
    const n = 1_100;
    const rows: NewInboxRow[] = [];
    for (let i = 0; i < n; i++) rows.push(track({ anonymousId: `anon-${i}` }, i), identify({ userId: `u-${i}`, anonymousId: `anon-${i}` }, n + i, { i }));
    await batch(...rows);
    expect(await profiles.count(s)).toBe(n);
    // Pairs: u-(2k)'s profile (seen first) absorbs anon-(2k+1)'s.
    await batch(...Array.from({ length: n / 2 }, (_, k) => alias(`anon-${2 * k + 1}`, `u-${2 * k}`, 3 * n + k)));
    expect(await profiles.count(s)).toBe(n / 2);
    const owners = await profiles.idsFor(s, rows.flatMap((r) => [r.userId, r.anonymousId]).filter((v): v is string => !!v));
    for (let k = 0; k < n / 2; k++) {
      const winner = owners.get(`u-${2 * k}`);
      expect([owners.get(`anon-${2 * k}`), owners.get(`anon-${2 * k + 1}`), owners.get(`u-${2 * k + 1}`)]).toEqual([winner, winner, winner]);
    }
    const sample = await profiles.get(s, owners.get("u-500")!);
    expect(sample).toMatchObject({ userId: "u-500", traits: { i: 500 }, firstSeen: T0 + 500, lastSeen: T0 + 3 * n + 250 });
    expect(identities(sample)).toEqual(["anonymous:anon-500", "anonymous:anon-501", "user:u-500", "user:u-501"]);
  });
});
