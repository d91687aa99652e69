// The guardrails' rules with the clock set: caps counted in the customer's calendar days (across a
// midnight of theirs, and a change to summer time), quiet hours ending at the window's start in
// their zone, the global control group's share and stability, and the order the rules apply in.
import { describe, expect, it } from "vitest";
import {
  capReason,
  capWindowStart,
  DEFAULT_GUARDRAILS,
  deferReason,
  guardrailSettingsSchema,
  hasConsent,
  inGlobalControl,
  quietUntil,
  screen,
  startOfLocalDay,
  underCap,
  zoneOf,
  type GuardrailSettings,
} from "./guardrails-rules";

const at = (iso: string) => Date.parse(iso);
const NY = "America/New_York";

describe("frequency caps", () => {
  it("count calendar days in the customer's zone: a day starts at their midnight, not UTC's", () => {
    // 23:50 on 14 January in New York is 04:50 UTC on the 15th; 00:10 on the 15th there is 05:10 UTC.
    const lateEvening = at("2026-01-15T04:50:00Z");
    const justAfterMidnight = at("2026-01-15T05:10:00Z");
    const onePerDay = { max: 1, days: 1 };
    expect(underCap([lateEvening], capWindowStart(justAfterMidnight, NY, onePerDay.days), onePerDay.max)).toBe(true);
    // In UTC both are the 15th: the same two sends would be one day.
    expect(underCap([lateEvening], capWindowStart(justAfterMidnight, "UTC", 1), 1)).toBe(false);
    // Ten minutes before that midnight, the late evening send is today's.
    expect(underCap([lateEvening], capWindowStart(at("2026-01-15T04:55:00Z"), NY, 1), 1)).toBe(false);
  });

  it("2 in 7 days: today and the six days before it, whole days", () => {
    const now = at("2026-01-20T15:00:00Z"); // 10:00 on Tuesday 20 January in New York
    const since = capWindowStart(now, NY, 7);
    expect(since).toBe(at("2026-01-14T05:00:00Z")); // 00:00 on the 14th there
    const day14 = at("2026-01-14T05:00:00Z");
    const day13late = at("2026-01-14T04:59:59Z");
    expect(underCap([day13late, at("2026-01-19T20:00:00Z")], since, 2)).toBe(true);
    expect(underCap([day14, at("2026-01-19T20:00:00Z")], since, 2)).toBe(false);
    expect(underCap([], since, 2)).toBe(true);
  });

  it("a window across the change to summer time starts at local midnight", () => {
    // Paris goes from +01:00 to +02:00 at 02:00 on 29 March 2026.
    expect(startOfLocalDay(at("2026-03-30T10:00:00Z"), "Europe/Paris")).toBe(at("2026-03-29T22:00:00Z"));
    expect(startOfLocalDay(at("2026-03-30T10:00:00Z"), "Europe/Paris", 1)).toBe(at("2026-03-28T23:00:00Z"));
    expect(startOfLocalDay(at("2026-03-30T10:00:00Z"), "Europe/Paris", 2)).toBe(at("2026-03-27T23:00:00Z"));
    expect(startOfLocalDay(at("2026-01-01T00:30:00Z"), "Asia/Kathmandu")).toBe(at("2025-12-31T18:15:00Z"));
  });

  it("names the cap in the ledger's words", () => {
    expect(capReason("email", { max: 2, days: 7 })).toBe("frequency cap: 2 e-mails in 7 days");
    expect(capReason("sms", { max: 1, days: 1 })).toBe("frequency cap: 1 SMS in 1 day");
    expect(capReason("push", { max: 3, days: 2 })).toBe("frequency cap: 3 push notifications in 2 days");
  });
});

describe("quiet hours", () => {
  const night = { enabled: true, from: "21:00", to: "08:00" };

  it("a send at 23:00 in the customer's zone waits until the window's end there, on the minute", () => {
    // 23:00:42 on 10 January in Tokyo (UTC+9) is 14:00:42 UTC.
    const until = quietUntil(at("2026-01-10T14:00:42.500Z"), "Asia/Tokyo", night);
    expect(until).toBe(at("2026-01-10T23:00:00Z")); // 08:00 on the 11th in Tokyo
    expect(deferReason(until!)).toBe("deferred to 2026-01-10T23:00:00.000Z (quiet hours)");
    // The same instant is 09:00 in Paris: not quiet there.
    expect(quietUntil(at("2026-01-10T14:00:42Z"), "Europe/Paris", night)).toBeNull();
    // After midnight and just before the end.
    expect(quietUntil(at("2026-01-10T22:59:30Z"), "Asia/Tokyo", night)).toBe(at("2026-01-10T23:00:00Z"));
    expect(quietUntil(at("2026-01-10T23:00:00Z"), "Asia/Tokyo", night)).toBeNull();
    expect(quietUntil(at("2026-01-10T11:59:59Z"), "Asia/Tokyo", night)).toBeNull(); // 20:59:59
    expect(quietUntil(at("2026-01-10T12:00:00Z"), "Asia/Tokyo", night)).toBe(at("2026-01-10T23:00:00Z")); // 21:00
  });

  it("quiet hours inside one day, and off", () => {
    const small = { enabled: true, from: "01:00", to: "05:00" };
    expect(quietUntil(at("2026-01-10T00:30:00Z"), "UTC", small)).toBeNull();
    expect(quietUntil(at("2026-01-10T03:00:00Z"), "UTC", small)).toBe(at("2026-01-10T05:00:00Z"));
    expect(quietUntil(at("2026-01-10T05:00:00Z"), "UTC", small)).toBeNull();
    expect(quietUntil(at("2026-01-10T23:00:00Z"), "UTC", { ...night, enabled: false })).toBeNull();
    expect(quietUntil(at("2026-01-10T00:10:00Z"), "UTC", { enabled: true, from: "00:00", to: "06:00" })).toBe(at("2026-01-10T06:00:00Z"));
  });
});

describe("the global control group", () => {
  const ids = Array.from({ length: 100_000 }, (_, i) => `p:profile-${i}`);

  it("takes the share asked for, within a point, of 100,000 ids; the same ones every time; a larger share keeps them", () => {
    const ten = ids.filter((id) => inGlobalControl(id, 10));
    expect(Math.abs((ten.length / ids.length) * 100 - 10)).toBeLessThan(1);
    expect(ids.filter((id) => inGlobalControl(id, 10))).toEqual(ten);
    const five = new Set(ids.filter((id) => inGlobalControl(id, 5)));
    expect(Math.abs((five.size / ids.length) * 100 - 5)).toBeLessThan(1);
    expect([...five].every((id) => inGlobalControl(id, 10))).toBe(true);
    expect(ids.some((id) => inGlobalControl(id, 0))).toBe(false);
  });
});

describe("screen", () => {
  const s = (over: Partial<GuardrailSettings> = {}): GuardrailSettings => ({ ...DEFAULT_GUARDRAILS, ...over });
  const noon = at("2026-01-10T12:00:00Z");
  const consenting = { consent: { email: true, sms: "granted" } };

  it("control group first, then consent on the channel, then quiet hours; nothing in the way leaves it to the cap", () => {
    const member = Array.from({ length: 1000 }, (_, i) => `p:${i}`).find((id) => inGlobalControl(id, 20))!;
    expect(screen({ subject: member, traits: {} }, "email", s({ controlPercent: 20 }), noon)).toEqual({ action: "suppress", reason: "global control group" });
    expect(screen({ subject: "p:x", traits: { consent: { email: false } } }, "email", s(), noon)).toEqual({ action: "suppress", reason: "no consent" });
    expect(screen({ subject: "p:x", traits: consenting }, "sms", s(), noon)).toBeNull();
    expect(screen({ subject: "p:x", traits: consenting }, "push", s(), noon)).toEqual({ action: "suppress", reason: "no consent" });
    // A plain webhook reaches another system: no consent asked.
    expect(screen({ subject: "c:x" }, "webhook", s(), noon)).toBeNull();
    const quiet = s({ quietHours: { enabled: true, from: "11:00", to: "13:30" }, timeZone: "UTC" });
    expect(screen({ subject: "p:x", traits: consenting }, "email", quiet, noon)).toEqual({ action: "defer", until: at("2026-01-10T13:30:00Z"), reason: "deferred to 2026-01-10T13:30:00.000Z (quiet hours)" });
    // Their own zone (12:00 UTC is 21:00 in Tokyo) beats the default one.
    expect(screen({ subject: "p:x", traits: { ...consenting, timezone: "Asia/Tokyo" } }, "email", quiet, noon)).toBeNull();
  });

  it("reads consent and zones as the customer page does", () => {
    expect(hasConsent({ consent: { email: "Opted_In" } }, "email")).toBe(true);
    expect(hasConsent({ consent: { email: "maybe" } }, "email")).toBe(false);
    expect(hasConsent(undefined, "email")).toBe(false);
    expect(zoneOf({ timezone: "Not/AZone" }, "Europe/Paris")).toBe("Europe/Paris");
    expect(zoneOf({ timezone: " Asia/Tokyo " }, "UTC")).toBe("Asia/Tokyo");
  });
});

describe("settings", () => {
  it("default to caps off, quiet hours off, UTC and no control group; refuse what cannot work", () => {
    expect(DEFAULT_GUARDRAILS).toEqual({ caps: {}, quietHours: { enabled: false, from: "21:00", to: "08:00" }, timeZone: "UTC", controlPercent: 0 });
    expect(guardrailSettingsSchema.safeParse({ timeZone: "Mars/Base" }).error?.issues[0]?.message).toBe('"Mars/Base" is not a time zone (e.g. Europe/Paris, America/New_York, UTC)');
    expect(guardrailSettingsSchema.safeParse({ quietHours: { enabled: true, from: "08:00", to: "08:00" } }).success).toBe(false);
    expect(guardrailSettingsSchema.safeParse({ caps: { email: { max: 0, days: 7 } } }).success).toBe(false);
    expect(guardrailSettingsSchema.safeParse({ caps: { fax: { max: 1, days: 7 } } }).success).toBe(false);
    expect(guardrailSettingsSchema.safeParse({ controlPercent: 60 }).success).toBe(false);
  });
});
