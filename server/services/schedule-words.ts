// A schedule trigger in words and in times, for the node's panel and the backfill check: "Every 2
// hours, in Europe/Paris", "Tue 3 Dec, 09:00 (in 2 hours)", and the times a schedule was due in a
// past range. Pure (no Node built-ins, no server imports), so the browser can use it too.
//
// Cron expressions are read the way Temporal reads them: five fields (minute hour day-of-month
// month day-of-week), each `*`, `x`, `x-y`, `x/step` (x, x+step, ... up to the field's end),
// `*/step`, `x-y/step` or a comma list of these; month and day names (JAN, MON); 0 or 7 for Sunday.
// Unlike classic cron, Temporal requires day-of-month AND day-of-week to match when both are set.
import type { z } from "zod";
import type { scheduleTriggerConfig } from "../../nodes/trigger/schedule.node.ts";

export type ScheduleConfig = z.output<typeof scheduleTriggerConfig>;

/** What the schedule follows: a fixed interval counted from the Unix epoch (UTC), or a cron expression in the time zone. */
export type ScheduleRule = { kind: "interval"; everyMs: number } | { kind: "cron"; cron: string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Every N minutes or hours is a Temporal interval (so 2 hours is 00:00, 02:00... UTC). Every day
 * is midnight in the time zone (a calendar, so daylight saving moves it with the clock); every N
 * days (N > 1) is an interval counted from 00:00 UTC, as a calendar cannot count days across months.
 */
export function scheduleRule(c: Pick<ScheduleConfig, "every" | "interval" | "cron">): ScheduleRule {
  switch (c.every) {
    case "minutes":
      return { kind: "interval", everyMs: c.interval * MINUTE };
    case "hours":
      return { kind: "interval", everyMs: c.interval * HOUR };
    case "days":
      return c.interval === 1 ? { kind: "cron", cron: "0 0 * * *" } : { kind: "interval", everyMs: c.interval * DAY };
    case "cron":
      return { kind: "cron", cron: (c.cron ?? "").trim().replace(/\s+/g, " ") };
  }
}

// ---------------------------------------------------------------------------------------------
// Cron parsing

interface Field {
  /** Sorted, distinct. */
  values: number[];
  /** Every value of the field (`*`). */
  all: boolean;
}

export interface Cron {
  minute: Field;
  hour: Field;
  dayOfMonth: Field;
  month: Field;
  /** 0 (Sunday) to 6. */
  dayOfWeek: Field;
}

const MONTH_ABBR = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_ABBR = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELD_SPECS = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTH_ABBR, base: 1 },
  { min: 0, max: 7, names: DAY_ABBR, base: 0 },
] as const;

function parseValue(text: string, spec: (typeof FIELD_SPECS)[number]): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  if ("names" in spec) {
    const i = spec.names.indexOf(text.toUpperCase().slice(0, 3));
    if (i >= 0 && /^[a-z]+$/i.test(text)) return i + spec.base;
  }
  return null;
}

function parseField(text: string, spec: (typeof FIELD_SPECS)[number]): Field | null {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) return null;
    const [, range, stepText] = m;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) return null;
    let start: number | null;
    let end: number | null;
    if (range === "*") {
      start = spec.min;
      end = spec.max;
    } else if (range!.includes("-")) {
      const [a, b, ...rest] = range!.split("-");
      if (rest.length) return null;
      start = parseValue(a!, spec);
      end = parseValue(b!, spec);
    } else {
      start = parseValue(range!, spec);
      end = stepText === undefined ? start : spec.max;
    }
    if (start === null || end === null || start < spec.min || end > spec.max || start > end) return null;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  const all = text === "*" || text === "*/1";
  return { values: [...values].sort((a, b) => a - b), all };
}

/** The five fields, or null for what this reader does not know (L, W, #, ?, shorthands like @daily). */
export function parseCron(expr: string): Cron | null {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return null;
  const fields = parts.map((p, i) => parseField(p, FIELD_SPECS[i]!));
  if (fields.some((f) => !f)) return null;
  const [minute, hour, dayOfMonth, month, dow] = fields as Field[];
  // 7 is Sunday too.
  const days = [...new Set(dow!.values.map((d) => d % 7))].sort((a, b) => a - b);
  return { minute: minute!, hour: hour!, dayOfMonth: dayOfMonth!, month: month!, dayOfWeek: { values: days, all: dow!.all || days.length === 7 } };
}

// ---------------------------------------------------------------------------------------------
// Time zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface WallClock {
  year: number;
  /** 1 to 12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 (Sunday) to 6. */
  weekday: number;
}

/** The clock on the wall in `timeZone` at epoch ms `t`. */
export function wallClock(t: number, timeZone: string): WallClock {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(t))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const hour = p.hour! % 24;
  return { year: p.year!, month: p.month!, day: p.day!, hour, minute: p.minute!, second: p.second!, weekday: new Date(Date.UTC(p.year!, p.month! - 1, p.day!)).getUTCDay() };
}

/** How far `timeZone`'s clock is ahead of UTC at `t`, in ms (Europe/Paris in winter: 3 600 000). */
export function zoneOffset(t: number, timeZone: string): number {
  const w = wallClock(t, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(t / 1000) * 1000;
}

/** The epoch ms of a wall-clock time in `timeZone` ("2024-12-03T09:00" in Europe/Paris is 08:00 UTC); null when unreadable. */
export function wallTimeToEpoch(local: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const guess = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  if (!Number.isFinite(guess)) return null;
  const first = guess - zoneOffset(guess, timeZone);
  return guess - zoneOffset(first, timeZone);
}

/** Epoch ms as the value of an `<input type="datetime-local">` showing `timeZone`'s clock ("2024-12-03T09:00"). */
export function epochToWallTime(t: number, timeZone: string): string {
  const w = wallClock(t, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

// ---------------------------------------------------------------------------------------------
// Due times

function cronMatches(c: Cron, w: { minute: number; hour: number; day: number; month: number; weekday: number }): boolean {
  const has = (f: Field, v: number) => f.all || f.values.includes(v);
  return has(c.minute, w.minute) && has(c.hour, w.hour) && has(c.dayOfMonth, w.day) && has(c.month, w.month) && has(c.dayOfWeek, w.weekday);
}

/**
 * The times the schedule was due from `from` to `to` (both included), oldest first, at most
 * `limit` of them (ask for one more than you allow to learn that there are too many). Null for a
 * cron expression this reader does not know.
 */
export function dueTimes(rule: ScheduleRule, timeZone: string, from: number, to: number, limit: number): number[] | null {
  const out: number[] = [];
  if (rule.kind === "interval") {
    for (let t = Math.ceil(from / rule.everyMs) * rule.everyMs; t <= to && out.length < limit; t += rule.everyMs) out.push(t);
    return out;
  }
  const cron = parseCron(rule.cron);
  if (!cron) return null;
  let t = Math.ceil(from / MINUTE) * MINUTE;
  while (t <= to && out.length < limit) {
    // The zone's offset, read once an hour unless it changes within that hour.
    const hourEnd = Math.min((Math.floor(t / HOUR) + 1) * HOUR, to + 1);
    const offset = zoneOffset(t, timeZone);
    const steady = offset === zoneOffset(hourEnd - 1, timeZone);
    for (; t < hourEnd && out.length < limit; t += MINUTE) {
      const d = new Date(t + (steady ? offset : zoneOffset(t, timeZone)));
      if (cronMatches(cron, { minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, weekday: d.getUTCDay() })) out.push(t);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Words

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAY_SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const pad = (n: number) => String(n).padStart(2, "0");
const clock = (h: number, m: number) => `${pad(h)}:${pad(m)}`;
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** "a", "a and b", "a, b and c". */
function list(items: string[], conjunction = "and"): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} ${conjunction} ${items[items.length - 1]}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

/** The common step of values in arithmetic progression (0 for a single value), else null. */
function stepOf(values: number[]): number | null {
  if (values.length < 2) return values.length ? 0 : null;
  const step = values[1]! - values[0]!;
  return values.every((v, i) => i === 0 || v - values[i - 1]! === step) ? step : null;
}

const isRun = (values: number[]) => stepOf(values) === 1;

/** The times of day: "At 09:00 and 17:00" (daily) or "Every 15 minutes from 09:00 to 17:45" (recurring). */
function timeWords(c: Cron): { text: string; daily: boolean } | null {
  const M = c.minute.values;
  const H = c.hour.values;
  const allHours = c.hour.all || H.length === 24;
  const minuteStep = c.minute.all || M.length === 60 ? 1 : stepOf(M);
  // Every n minutes, all hour long (n divides 60).
  if (minuteStep && M[0] === 0 && 60 % minuteStep === 0 && M.length === 60 / minuteStep) {
    const every = minuteStep === 1 ? "Every minute" : `Every ${minuteStep} minutes`;
    if (allHours) return { text: every, daily: false };
    if (isRun(H) || H.length === 1) return { text: `${every} from ${clock(H[0]!, 0)} to ${clock(H[H.length - 1]!, 60 - minuteStep)}`, daily: false };
    return null;
  }
  if (M.length === 1) {
    const m = M[0]!;
    if (allHours) return { text: m === 0 ? "Every hour, on the hour" : `Every hour at ${m} minutes past`, daily: false };
    if (H.length <= 6) return { text: `At ${list(H.map((h) => clock(h, m)))}`, daily: true };
    const hourStep = stepOf(H);
    if (hourStep) return { text: `Every ${hourStep === 1 ? "hour" : `${hourStep} hours`} from ${clock(H[0]!, m)} to ${clock(H[H.length - 1]!, m)}`, daily: false };
    return null;
  }
  if (!allHours && M.length * H.length <= 6) return { text: `At ${list(H.flatMap((h) => M.map((m) => clock(h, m))))}`, daily: true };
  return null;
}

function monthWords(f: Field): string | null {
  const v = f.values;
  if (v.length >= 3 && isRun(v)) return `${MONTH_NAMES[v[0]! - 1]} to ${MONTH_NAMES[v[v.length - 1]! - 1]}`;
  return v.length <= 6 ? list(v.map((m) => MONTH_NAMES[m - 1]!)) : null;
}

function dayOfMonthWords(f: Field): string | null {
  const v = f.values;
  if (v.length >= 3 && isRun(v)) return `the ${ordinal(v[0]!)} to the ${ordinal(v[v.length - 1]!)}`;
  return v.length <= 6 ? `the ${list(v.map(ordinal))}` : null;
}

const WEEKDAYS = "1,2,3,4,5";
const WEEKEND = "0,6";

/** "on weekdays", "on Mondays and Thursdays", "from Monday to Thursday". */
function dayOfWeekWords(f: Field): string {
  const key = f.values.join(",");
  if (key === WEEKDAYS) return "on weekdays";
  if (key === WEEKEND) return "on weekends";
  const v = f.values;
  if (v.length >= 3 && isRun(v)) return `from ${DAY_NAMES[v[0]!]} to ${DAY_NAMES[v[v.length - 1]!]}`;
  return `on ${list(v.map((d) => `${DAY_NAMES[d]}s`))}`;
}

/** "a Friday", "a weekday", "a Monday, Wednesday or Friday". */
function dayOfWeekCondition(f: Field): string {
  const key = f.values.join(",");
  if (key === WEEKDAYS) return "a weekday";
  if (key === WEEKEND) return "a Saturday or Sunday";
  return `a ${list(f.values.map((d) => DAY_NAMES[d]!), "or")}`;
}

/** The days: " on weekdays", " on the 1st of every month", " every day in July and August". */
function dayWords(c: Cron, daily: boolean): string | null {
  const dom = c.dayOfMonth.all || c.dayOfMonth.values.length === 31 ? null : c.dayOfMonth;
  const month = c.month.all || c.month.values.length === 12 ? null : c.month;
  const dow = c.dayOfWeek.all ? null : c.dayOfWeek;
  const months = month ? monthWords(month) : "";
  if (months === null) return null;
  if (dom) {
    const days = dayOfMonthWords(dom);
    if (!days) return null;
    return ` on ${days} of ${month ? months : "every month"}${dow ? `, if it is ${dayOfWeekCondition(dow)}` : ""}`;
  }
  if (dow) return ` ${dayOfWeekWords(dow)}${month ? ` in ${months}` : ""}`;
  if (month) return `${daily ? " every day" : ""} in ${months}`;
  return daily ? " every day" : "";
}

/** A cron expression in words, or null when it is beyond these simple forms. */
export function cronInWords(expr: string): string | null {
  const cron = parseCron(expr);
  if (!cron) return null;
  const time = timeWords(cron);
  if (!time) return null;
  const days = dayWords(cron, time.daily);
  return days === null ? null : `${time.text}${days}`;
}

/** "Every 2 hours, in Europe/Paris"; "At 09:00 on weekdays (0 9 * * 1-5), in UTC". */
export function describeInWords(c: Pick<ScheduleConfig, "every" | "interval" | "cron" | "timeZone">): string {
  const zone = `, in ${c.timeZone}`;
  switch (c.every) {
    case "minutes":
      return `${c.interval === 1 ? "Every minute" : `Every ${c.interval} minutes`}${zone}`;
    case "hours":
      return `${c.interval === 1 ? "Every hour" : `Every ${c.interval} hours`}${zone}`;
    case "days":
      if (c.interval === 1) return `Every day at 00:00${zone}`;
      return `Every ${c.interval} days at 00:00${c.timeZone === "UTC" ? "" : " UTC"}${zone}`;
    case "cron": {
      const cron = (c.cron ?? "").trim().replace(/\s+/g, " ");
      const words = cronInWords(cron);
      return words ? `${words} (${cron})${zone}` : `On the cron schedule "${cron}"${zone}`;
    }
  }
}

/** "in 2 hours", "in 45 minutes", "in 30 seconds", "in 3 days" ("2 minutes ago" for a time past, "now" within half a second). */
export function relativeWords(t: number, now: number): string {
  const ms = Math.abs(t - now);
  const seconds = Math.round(ms / 1000);
  const minutes = Math.round(ms / MINUTE);
  const hours = Math.round(ms / HOUR);
  if (seconds < 1) return "now";
  let span: string;
  if (seconds < 60) span = plural(seconds, "second");
  else if (minutes < 60) span = plural(minutes, "minute");
  else if (hours < 48) span = plural(hours, "hour");
  else span = plural(Math.round(ms / DAY), "day");
  return t >= now ? `in ${span}` : `${span} ago`;
}

/** "Tue 3 Dec, 09:00" in `timeZone` (the year added when it is not `now`'s). */
export function timeInWords(t: number, now: number, timeZone: string): string {
  const w = wallClock(t, timeZone);
  const year = w.year === wallClock(now, timeZone).year ? "" : ` ${w.year}`;
  return `${DAY_SHORT[w.weekday]} ${w.day} ${MONTH_SHORT[w.month - 1]}${year}, ${clock(w.hour, w.minute)}`;
}

/** Each time as "Tue 3 Dec, 09:00 (in 2 hours)", in `timeZone`. */
export function nextRunsInWords(times: readonly number[], now: number, timeZone: string): string[] {
  return times.map((t) => `${timeInWords(t, now, timeZone)} (${relativeWords(t, now)})`);
}
