// A schedule trigger as times: its rule, the cron expressions it may hold, wall clocks in a time
// zone, and the times a schedule was due in a past range. Pure (no Node built-ins, no server
// imports), so the browser can use it too; schedule-words.ts puts these times into words.
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

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Two digits, for clock times and datetime-local values. */
export const pad = (n: number) => String(n).padStart(2, "0");

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

export interface Field {
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
