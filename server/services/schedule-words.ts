// A schedule trigger in words, for the node's panel and the backfill check: "Every 2 hours, in
// Europe/Paris", "Tue 3 Dec, 09:00 (in 2 hours)". Pure (no Node built-ins, no server imports), so
// the browser can use it too. The rule, cron parsing and due times are in schedule-times.ts.
import { DAY, HOUR, MINUTE, pad, parseCron, wallClock, type Cron, type Field, type ScheduleConfig } from "./schedule-times";

// Importers keep reading the whole schedule API from here.
export { dueTimes, epochToWallTime, parseCron, scheduleRule, wallClock, wallTimeToEpoch, zoneOffset } from "./schedule-times";
export type { Cron, ScheduleConfig, ScheduleRule, WallClock } from "./schedule-times";

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAY_SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

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
