// The customer router through createCaller against a real store (SQLite file): search rows with the
// e-mail and name traits, one customer with identities, consent, time zone, the event timeline and
// the flow runs they were in; viewers are refused; an unknown id is NOT_FOUND.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, flows, ledger, openSqliteStore, profiles, triggers, type Store } from "../../../db/store";
import type { NewInboxRow } from "../../../db/store/events";
import { createCaller } from "../root";
import { createTRPCContext } from "../trpc";
import { consentOf, detailsOf, nameOf, timezoneOf } from "./customer";
import { asRole, noTemporal, rejection } from "./test-support";

let dir: string;
let store: Store;
let editor: ReturnType<typeof createCaller>;
let viewer: ReturnType<typeof createCaller>;

const T0 = Date.UTC(2026, 2, 1, 9);
let message = 0;
function ev(type: NewInboxRow["type"], who: { userId?: string; anonymousId?: string }, at: number, payload: Record<string, unknown>, event: string | null = null): NewInboxRow {
  const messageId = `m-${++message}`;
  return {
    sourceId: "src",
    messageId,
    type,
    event,
    userId: who.userId ?? null,
    anonymousId: who.anonymousId ?? null,
    timestamp: T0 + at,
    receivedAt: T0 + at + 50,
    payload: { type, messageId, ...who, ...payload },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-customer-router-"));
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  editor = createCaller(await createTRPCContext({ store, temporal: noTemporal, principal: asRole("editor") }));
  viewer = createCaller(await createTRPCContext({ store, temporal: noTemporal, principal: asRole("viewer") }));
  await events.commit(store, [
    {
      events: [
        ev("page", { anonymousId: "anon-g" }, 0, { name: "Pricing", properties: { path: "/pricing" }, context: { timezone: "Europe/Paris" } }, "Pricing"),
        ev("identify", { userId: "grace", anonymousId: "anon-g" }, 1000, {
          traits: { email: "grace@example.com", firstName: "Grace", lastName: "Hopper", plan: "pro", consent: { email: true, sms: "denied", push: "maybe" } },
        }),
        ev("track", { userId: "grace" }, 2000, { properties: { total: 42.5, items: ["a", "b"], note: "x".repeat(300), a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 } }, "Order Completed"),
        ev("identify", { userId: "linus" }, 3000, { traits: { email: "linus@example.org", name: "Linus", timezone: "Not/AZone" } }),
        ev("track", { userId: "linus" }, 4000, { properties: {} }, "Cart Abandoned"),
      ],
    },
  ]);
  await triggers.applyProfiles(store);
});

afterAll(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("customer router", () => {
  it("searches by e-mail, trait value or id, and lists e-mail and name", async () => {
    const all = await editor.customer.search();
    expect(all.total).toBe(2);
    expect(all.customers.map((c) => c.userId)).toEqual(["linus", "grace"]);

    const found = await editor.customer.search({ q: "GRACE@example" });
    expect(found.customers).toHaveLength(1);
    expect(found.customers[0]).toEqual({
      id: expect.stringMatching(/^p_/),
      userId: "grace",
      email: "grace@example.com",
      name: "Grace Hopper",
      firstSeen: T0,
      lastSeen: T0 + 2000,
    });
    expect((await editor.customer.search({ q: "anon-g" })).customers.map((c) => c.userId)).toEqual(["grace"]);
    expect((await editor.customer.search({ q: "Linus" })).customers.map((c) => c.name)).toEqual(["Linus"]);
    expect((await editor.customer.search({ q: "nobody at all" })).customers).toEqual([]);
    expect((await editor.customer.search({ q: "", limit: 1 })).customers).toHaveLength(1);

    const tooLong = await rejection(editor.customer.search({ q: "x".repeat(201) }));
    expect(tooLong.code).toBe("BAD_REQUEST");
    expect((await rejection(editor.customer.search({ limit: 201 }))).code).toBe("BAD_REQUEST");
  });

  it("gets one customer: traits, identities, consent, time zone, timeline and flows", async () => {
    const id = (await profiles.byIdentity(store, "grace"))!;
    const c = await editor.customer.get({ id });
    expect(c).toMatchObject({ id, userId: "grace", email: "grace@example.com", name: "Grace Hopper", mergedFrom: null, firstSeen: T0, lastSeen: T0 + 2000 });
    expect(c.traits).toMatchObject({ plan: "pro", timezone: "Europe/Paris" });
    expect(c.identities.map((i) => [i.kind, i.value])).toEqual([
      ["anonymous", "anon-g"],
      ["user", "grace"],
    ]);
    expect(c.consent).toEqual([
      { channel: "email", granted: true, value: "true" },
      { channel: "push", granted: null, value: "maybe" },
      { channel: "sms", granted: false, value: "denied" },
    ]);
    expect(c.timezone).toEqual({ name: "Europe/Paris", valid: true });

    expect(c.timeline.map((e) => [e.type, e.event])).toEqual([
      ["track", "Order Completed"],
      ["identify", null],
      ["page", "Pricing"],
    ]);
    const order = c.timeline[0]!;
    expect(order).toMatchObject({ userId: "grace", anonymousId: null, timestamp: T0 + 2000, receivedAt: T0 + 2050, more: 1 });
    expect(order.details.slice(0, 3)).toEqual([
      { key: "total", value: "42.5" },
      { key: "items", value: '["a","b"]' },
      { key: "note", value: `${"x".repeat(119)}…` },
    ]);
    expect(c.timeline[1]!.details).toContainEqual({ key: "email", value: "grace@example.com" });
    expect(c.timeline[2]!.details).toEqual([{ key: "path", value: "/pricing" }]);
    expect(c.flows).toEqual([]);
  });

  it("lists the flow runs the customer was in, from audience cohorts and event cohorts", async () => {
    const grace = (await profiles.byIdentity(store, "grace"))!;
    const linus = (await profiles.byIdentity(store, "linus"))!;
    const flow = await flows.create(store, { name: "Win back", nodes: [], edges: [] });
    const inbox = await events.readInbox(store);
    const cartOf = (user: string) => inbox.find((e) => e.userId === user && e.type === "track")!.position;
    await store.use(async (q) => {
      const base = { flowId: flow.flowId, flowVersionId: flow.versionId, nodeId: "trigger", firstAt: null, lastAt: null };
      await q.insert(store.t.cohorts).values([
        { ...base, id: "run-events", kind: "event", members: [cartOf("grace"), cartOf("linus")], detail: null, size: 2, createdAt: T0 + 10_000 },
        { ...base, id: "run-audience", kind: "audience", members: [linus], detail: { [linus]: "entered" }, size: 1, createdAt: T0 + 20_000 },
      ]);
    });
    expect((await editor.customer.get({ id: grace })).flows).toEqual([
      { runId: "run-events", flowId: flow.flowId, flowName: "Win back", kind: "event", at: T0 + 10_000, change: null, runStatus: null, error: null },
    ]);
    expect((await editor.customer.get({ id: linus })).flows.map((f) => [f.runId, f.change])).toEqual([
      ["run-audience", "entered"],
      ["run-events", null],
    ]);
    // A time zone that is not a real zone is shown as it is, marked unknown.
    expect((await editor.customer.get({ id: linus })).timezone).toEqual({ name: "Not/AZone", valid: false });
  });

  it("lists what flows did to them from the decision ledger, by profile or by the id a row gave", async () => {
    const grace = (await profiles.byIdentity(store, "grace"))!;
    await ledger.record(store, [
      { key: "r1:mail:grace", runId: "r1", flowId: "f", flowVersion: 1, nodeId: "mail", channel: "email", customerId: "grace", profileId: grace, status: "sent", reason: null, content: { subject: "We miss you, Grace" }, model: { name: "churn", version: 2, score: 0.8 }, arm: "B", providerId: "<a@x>", at: T0 + 30_000 },
      // Recorded before the profile existed: found by the id the row carried.
      { key: "r0:hook:grace", runId: "r0", flowId: "f", flowVersion: 1, nodeId: "hook", channel: "webhook", customerId: "grace", profileId: null, status: "failed", reason: "HTTP 500", content: null, model: null, arm: null, providerId: null, at: T0 + 25_000 },
      // Suppressed: no subject, so the campaign's name says what it was (not the template's fingerprint).
      { key: "r2:mail:grace", runId: "r2", flowId: "f", flowVersion: 1, nodeId: "mail", channel: "email", customerId: "grace", profileId: grace, status: "suppressed", reason: "frequency cap", content: { campaign: "winback", template: "9f2c41" }, model: null, arm: null, providerId: null, at: T0 + 40_000 },
      { key: "r1:mail:linus", runId: "r1", flowId: "f", flowVersion: 1, nodeId: "mail", channel: "email", customerId: "linus", profileId: null, status: "suppressed", reason: "no consent for e-mail", content: null, model: null, arm: null, providerId: null, at: T0 + 30_000 },
    ]);
    const decisions = (await editor.customer.get({ id: grace })).decisions;
    expect(decisions.map((d) => [d.runId, d.channel, d.status, d.reason, d.what, d.arm])).toEqual([
      ["r2", "email", "suppressed", "frequency cap", "winback", null],
      ["r1", "email", "sent", null, "We miss you, Grace", "B"],
      ["r0", "webhook", "failed", "HTTP 500", null, null],
    ]);
    expect(decisions[1]!.model).toEqual({ name: "churn", version: 2, score: 0.8 });
  });

  it("follows a merged profile to the one that absorbed it", async () => {
    await events.commit(store, [{ events: [ev("identify", { userId: "ada" }, 5000, { traits: { email: "ada@example.com" } }), ev("track", { anonymousId: "anon-ada" }, 6000, {}, "Seen")] }]);
    await triggers.applyProfiles(store);
    const older = (await profiles.byIdentity(store, "ada"))!;
    const newer = (await profiles.byIdentity(store, "anon-ada"))!;
    await events.commit(store, [{ events: [ev("alias", { userId: "ada" }, 7000, { previousId: "anon-ada" })] }]);
    await triggers.applyProfiles(store);
    const c = await editor.customer.get({ id: newer });
    expect(c).toMatchObject({ id: older, mergedFrom: newer, userId: "ada", lastSeen: T0 + 7000 });
    expect(c.identities.map((i) => i.value).sort()).toEqual(["ada", "anon-ada"]);
  });

  it("answers NOT_FOUND for an unknown id and refuses viewers", async () => {
    const missing = await rejection(editor.customer.get({ id: "p_nope" }));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toBe("No customer with profile id p_nope");
    expect((await rejection(editor.customer.get({ id: " " }))).code).toBe("BAD_REQUEST");

    const search = await rejection(viewer.customer.search({ q: "grace" }));
    expect(search.code).toBe("FORBIDDEN");
    expect(search.message).toContain("needs the editor role or higher");
    expect((await rejection(viewer.customer.get({ id: "p_nope" }))).code).toBe("FORBIDDEN");
  });
});

describe("customer fields", () => {
  it("reads the name, consent, time zone and event details", () => {
    expect(nameOf({ name: " Ada " })).toBe("Ada");
    expect(nameOf({ first_name: "Ada", last_name: "Lovelace" })).toBe("Ada Lovelace");
    expect(nameOf({ lastName: "Lovelace" })).toBe("Lovelace");
    expect(nameOf({ name: 42 })).toBeNull();
    expect(consentOf({ consent: "yes" })).toEqual([]);
    expect(consentOf({ consent: { whatsapp: "opted_in", email: false, sms: 0, post: { by: "letter" } } })).toEqual([
      { channel: "email", granted: false, value: "false" },
      { channel: "post", granted: null, value: '{"by":"letter"}' },
      { channel: "sms", granted: false, value: "0" },
      { channel: "whatsapp", granted: true, value: "opted_in" },
    ]);
    expect(timezoneOf({})).toBeNull();
    expect(timezoneOf({ timezone: "America/New_York" })).toEqual({ name: "America/New_York", valid: true });
    expect(detailsOf({ type: "alias", payload: { previousId: "anon-1" } })).toEqual({ details: [{ key: "previousId", value: "anon-1" }], more: 0 });
    expect(detailsOf({ type: "group", payload: { groupId: "acme", traits: { size: 10 } } }).details).toEqual([
      { key: "groupId", value: "acme" },
      { key: "size", value: "10" },
    ]);
    expect(detailsOf({ type: "track", payload: {} })).toEqual({ details: [], more: 0 });
  });
});
