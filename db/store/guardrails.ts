// The guardrails' state: the admin's settings (caps, quiet hours, default zone, global control
// share) and the contacts reserved by marketing sends, counted against the frequency caps of every
// flow. The rules themselves are pure, in lib/guardrails-rules.ts.
import { and, eq, gte, inArray, lt } from "drizzle-orm";
import { capWindowStart, DEFAULT_GUARDRAILS, guardrailSettingsSchema, MAX_CAP_DAYS, underCap, type Cap, type GuardrailSettings } from "../../lib/guardrails-rules";
import type { Store } from "./handle";
import * as settingsStore from "./settings";

const SETTINGS_KEY = "guardrails";
const CHUNK = 400;
const DAY_MS = 86_400_000;

/** The settings as saved (anything missing, or saved by an older version and no longer valid, takes its default). */
export async function settings(s: Store): Promise<GuardrailSettings> {
  const parsed = guardrailSettingsSchema.safeParse((await settingsStore.get(s, SETTINGS_KEY)) ?? {});
  return parsed.success ? parsed.data : DEFAULT_GUARDRAILS;
}

export async function saveSettings(s: Store, value: GuardrailSettings): Promise<GuardrailSettings> {
  const checked = guardrailSettingsSchema.parse(value);
  await settingsStore.set(s, SETTINGS_KEY, checked);
  return checked;
}

/** One send asking for a contact: its ledger key, who it counts against, and their time zone. */
export interface ContactRequest {
  key: string;
  subject: string;
  zone: string;
}

/**
 * Reserves a contact on `channel` for each request under `cap` (null: no cap, all are reserved),
 * in one transaction that every process's reservations on the channel wait for, so flows sending
 * at once never pass the cap together. In request order, so two requests for one subject count
 * each other. A request whose key is already reserved (a retried node) keeps its reservation.
 * Returns the keys refused by the cap.
 */
export function reserve(s: Store, channel: string, requests: readonly ContactRequest[], cap: Cap | null, now: number): Promise<Set<string>> {
  const refused = new Set<string>();
  if (!requests.length) return Promise.resolve(refused);
  return s.tx(
    async (q) => {
      const { contacts: c } = s.t;
      const keys = requests.map((r) => r.key);
      const subjects = [...new Set(requests.map((r) => r.subject))];
      const own = new Set<string>();
      for (let i = 0; i < keys.length; i += CHUNK) {
        for (const r of await q.select({ key: c.key }).from(c).where(inArray(c.key, keys.slice(i, i + CHUNK)))) own.add(r.key);
      }
      // Earlier contacts of these subjects on this channel: from the earliest window start any of them has.
      const earlier = new Map<string, number[]>();
      const starts = new Map<string, number>();
      const sinceIn = (zone: string) => starts.get(zone) ?? starts.set(zone, cap ? capWindowStart(now, zone, cap.days) : now).get(zone)!;
      if (cap) {
        const since = Math.min(...[...new Set(requests.map((r) => r.zone))].map(sinceIn));
        for (let i = 0; i < subjects.length; i += CHUNK) {
          const rows = await q
            .select({ key: c.key, subject: c.subject, at: c.at })
            .from(c)
            .where(and(inArray(c.subject, subjects.slice(i, i + CHUNK)), eq(c.channel, channel), gte(c.at, since)));
          for (const r of rows) if (!own.has(r.key)) earlier.set(r.subject, [...(earlier.get(r.subject) ?? []), r.at]);
        }
      }
      const fresh: { key: string; subject: string; channel: string; at: number }[] = [];
      for (const r of requests) {
        if (own.has(r.key)) continue;
        const before = earlier.get(r.subject) ?? [];
        if (cap && !underCap(before, sinceIn(r.zone), cap.max)) {
          refused.add(r.key);
          continue;
        }
        before.push(now);
        earlier.set(r.subject, before);
        fresh.push({ key: r.key, subject: r.subject, channel, at: now });
        own.add(r.key); // the same key twice in one call is one contact
      }
      for (let i = 0; i < fresh.length; i += CHUNK) await q.insert(c).values(fresh.slice(i, i + CHUNK)).onConflictDoNothing();
      // Contacts past the longest cap window count for nothing: these subjects' are dropped.
      for (let i = 0; i < subjects.length; i += CHUNK) {
        await q.delete(c).where(and(inArray(c.subject, subjects.slice(i, i + CHUNK)), lt(c.at, now - (MAX_CAP_DAYS + 1) * DAY_MS)));
      }
      return refused;
    },
    [`contacts:${channel}`],
  );
}

/** Gives back reservations (their sends failed): they count no more. */
export function release(s: Store, keys: readonly string[]): Promise<void> {
  if (!keys.length) return Promise.resolve();
  return s.use(async (q) => {
    const { contacts: c } = s.t;
    for (let i = 0; i < keys.length; i += CHUNK) await q.delete(c).where(inArray(c.key, keys.slice(i, i + CHUNK) as string[]));
  });
}

/** A subject's contacts on a channel since `since`, oldest first (for tests and the customer page). */
export function contactsOf(s: Store, subject: string, channel: string, since = 0): Promise<{ key: string; at: number }[]> {
  return s.use((q) => {
    const { contacts: c } = s.t;
    return q
      .select({ key: c.key, at: c.at })
      .from(c)
      .where(and(eq(c.subject, subject), eq(c.channel, channel), gte(c.at, since)))
      .orderBy(c.at);
  });
}
