// The guardrails' rules, pure (the clock is an argument): what the admin sets, and per customer
// whether a marketing send goes now, is suppressed (global control group, no consent, frequency
// cap) or is put off to the end of quiet hours, in the customer's own time zone. The store
// (db/store/guardrails.ts) counts and reserves contacts atomically; the worker (workflows/activities/
// guardrails-access.ts) applies both for every node that sends.
import { z } from "zod";
import { unitHash } from "../nodes/control/split-assign";
import { DAYS, nextInWindow, validZone, type Window } from "../nodes/control/wait-time";
import type { GuardrailDecision } from "../nodes/sdk/types";

/** The channels caps are kept for (the e-mail node sends "email"; a webhook node names its channel). */
export const GUARDRAIL_CHANNELS = ["email", "sms", "push", "webhook"] as const;
export type GuardrailChannel = (typeof GUARDRAIL_CHANNELS)[number];
/** Channels that reach a person, so a marketing send needs their consent (consent.<channel>); a plain webhook reaches another system. */
const CONSENT_CHANNELS = new Set<string>(["email", "sms", "push"]);
export const MAX_CAP_DAYS = 90;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Write the time as HH:MM, e.g. 21:00");

export const guardrailSettingsSchema = z.object({
  /** Per channel: at most `max` marketing sends in `days` calendar days of the customer's zone (today and the days before). No entry: no cap. */
  caps: z
    .partialRecord(z.enum(GUARDRAIL_CHANNELS), z.object({ max: z.number().int().min(1).max(1000), days: z.number().int().min(1).max(MAX_CAP_DAYS) }))
    .default({}),
  /** Marketing that would land between `from` and `to` (the customer's time; may span midnight) waits until `to`. */
  quietHours: z
    .object({ enabled: z.boolean(), from: hhmm, to: hhmm })
    .refine((q) => q.from !== q.to, { message: "Quiet hours must start and end at different times", path: ["to"] })
    .default({ enabled: false, from: "21:00", to: "08:00" }),
  /** The zone of customers whose profile has no valid `timezone` trait. */
  timeZone: z
    .string()
    .trim()
    .refine(validZone, { error: (issue) => `"${String(issue.input)}" is not a time zone (e.g. Europe/Paris, America/New_York, UTC)` })
    .default("UTC"),
  /** The share of customers (0-50 %) that no flow contacts with marketing, to measure what the programme adds. */
  controlPercent: z.number().min(0).max(50).default(0),
});

export type GuardrailSettings = z.output<typeof guardrailSettingsSchema>;
export type Cap = NonNullable<GuardrailSettings["caps"][GuardrailChannel]>;

/** Caps off, quiet hours off, no global control group: a new install sends what its flows say. */
export const DEFAULT_GUARDRAILS: GuardrailSettings = guardrailSettingsSchema.parse({});

/** Consent values read as yes; anything else (missing, unclear, withdrawn) is no. */
export const CONSENT_YES = new Set(["true", "yes", "y", "1", "granted", "given", "opted_in", "opted-in", "subscribed", "on"]);

/** consent.<channel> must say yes (true, or a word such as "granted"). */
export function hasConsent(traits: Record<string, unknown> | undefined, channel: string): boolean {
  const consent = traits?.consent;
  if (typeof consent !== "object" || consent === null || Array.isArray(consent)) return false;
  const v = (consent as Record<string, unknown>)[channel];
  return v === true || ((typeof v === "string" || typeof v === "number") && CONSENT_YES.has(String(v).trim().toLowerCase()));
}

/** The customer's zone: their `timezone` trait when it names a zone, else `fallback`. */
export function zoneOf(traits: Record<string, unknown> | undefined, fallback: string): string {
  const tz = traits?.timezone;
  return typeof tz === "string" && tz.trim() && validZone(tz.trim()) ? tz.trim() : fallback;
}

const CONTROL_SALT = "loopwright-global-control-v1";

/** In the global control group: a stable point of the id (a profile id, else the customer id) below `percent`. */
export function inGlobalControl(id: string, percent: number): boolean {
  return percent > 0 && unitHash(id, "", CONTROL_SALT) * 100 < percent;
}

const walls = new Map<string, Intl.DateTimeFormat>();
/** The wall clock at `t` (whole seconds) in `tz`, read as if it were UTC. */
function wallClock(t: number, tz: string): { ms: number; y: number; m: number; d: number } {
  let f = walls.get(tz);
  if (!f) walls.set(tz, (f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })));
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
  return { ms: Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!), y: p.year!, m: p.month!, d: p.day! };
}

/** 00:00 in `tz` of the day `daysBack` calendar days before `t`'s day there (where midnight is skipped by a clock change, the nearest instant to it). */
export function startOfLocalDay(t: number, tz: string, daysBack = 0): number {
  const { y, m, d } = wallClock(t, tz);
  const wall = Date.UTC(y, m - 1, d - daysBack);
  const offset = (at: number) => wallClock(at, tz).ms - Math.floor(at / 1000) * 1000;
  const guess = wall - offset(wall);
  return wall - offset(guess); // once more, for a change of offset between the two
}

/** Where a cap's window starts: midnight, in the customer's zone, `days - 1` calendar days before today. */
export const capWindowStart = (now: number, tz: string, days: number) => startOfLocalDay(now, tz, days - 1);

/** Under the cap: fewer than `max` of these earlier contacts fall in the window starting at `since` (capWindowStart). */
export function underCap(previous: readonly number[], since: number, max: number): boolean {
  let n = 0;
  for (const at of previous) if (at >= since && ++n >= max) return false;
  return true;
}

const EVERY_DAY = [...DAYS];
/**
 * When quiet hours are on and `now` is inside them in `tz`: the time they end there (on the
 * minute). Otherwise null.
 */
export function quietUntil(now: number, tz: string, quiet: GuardrailSettings["quietHours"]): number | null {
  if (!quiet.enabled) return null;
  const t = Math.floor(now / 1000) * 1000; // whole seconds, so the end is on the minute
  // The hours outside quiet hours, as windows of a day: one when quiet hours span midnight, else two.
  const open: Window[] =
    quiet.from > quiet.to
      ? [{ days: EVERY_DAY, from: quiet.to, to: quiet.from }]
      : [{ days: EVERY_DAY, from: quiet.to, to: "24:00" }, ...(quiet.from > "00:00" ? [{ days: EVERY_DAY, from: "00:00", to: quiet.from }] : [])];
  const next = Math.min(...open.map((w) => nextInWindow(t, tz, w)));
  return next === t ? null : next;
}

const NOUNS: Record<string, [string, string]> = {
  email: ["e-mail", "e-mails"],
  sms: ["SMS", "SMS"],
  push: ["push notification", "push notifications"],
  webhook: ["webhook", "webhooks"],
};

export const REASONS = { control: "global control group", consent: "no consent" } as const;

/** "frequency cap: 2 e-mails in 7 days". */
export function capReason(channel: string, cap: Cap): string {
  const [one, many] = NOUNS[channel] ?? [`${channel} message`, `${channel} messages`];
  return `frequency cap: ${cap.max} ${cap.max === 1 ? one : many} in ${cap.days} ${cap.days === 1 ? "day" : "days"}`;
}

/** The ledger reason of a send put off by quiet hours; the ledger tells these rows by it (db/store/ledger.ts). */
export const DEFERRED_PREFIX = "deferred to ";
export const deferReason = (until: number) => `${DEFERRED_PREFIX}${new Date(until).toISOString()} (quiet hours)`;

/**
 * The rules a marketing send meets before any counting, in order: the global control group, consent
 * on the channel, quiet hours. A decision, or null when the frequency cap decides.
 */
export function screen(who: { subject: string; traits?: Record<string, unknown> }, channel: string, s: GuardrailSettings, now: number): GuardrailDecision | null {
  if (inGlobalControl(who.subject, s.controlPercent)) return { action: "suppress", reason: REASONS.control };
  if (CONSENT_CHANNELS.has(channel) && !hasConsent(who.traits, channel)) return { action: "suppress", reason: REASONS.consent };
  const until = quietUntil(now, zoneOf(who.traits, s.timeZone), s.quietHours);
  return until === null ? null : { action: "defer", until, reason: deferReason(until) };
}
