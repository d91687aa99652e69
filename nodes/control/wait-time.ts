// When a wait releases a customer: durations, and the next moment inside a weekly time window in
// the customer's own time zone (e.g. weekdays 09:00-20:00 in Europe/Paris). Pure functions.

export const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Day = (typeof DAYS)[number];

export const UNIT_MS = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
export type Unit = keyof typeof UNIT_MS;

export interface Window {
  days: readonly Day[];
  /** "HH:MM", inclusive. */
  from: string;
  /** "HH:MM", exclusive; "24:00" for the end of the day. */
  to: string;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
};

const formats = new Map<string, Intl.DateTimeFormat>();
/** A time zone's name, checked: an unknown one is an error naming it. */
export function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Weekday (0 = Sunday), minute of the day and second of the minute at `t` in `tz`. */
function local(t: number, tz: string): { day: number; minute: number; second: number } {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    formats.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  return { day: DAYS.indexOf(parts.weekday!.toLowerCase().slice(0, 3) as Day), minute: Number(parts.hour) * 60 + Number(parts.minute), second: Number(parts.second) };
}

/** `t` itself when it falls inside the window in `tz`, else the window's next start (exact to the minute). */
export function nextInWindow(t: number, tz: string, w: Window): number {
  const from = minutesOf(w.from);
  const to = minutesOf(w.to);
  const allowed = new Set(w.days.map((d) => DAYS.indexOf(d)));
  if (!allowed.size || from >= to) throw new Error(`The window ${w.days.join(", ")} ${w.from}-${w.to} is empty`);
  const now = local(t, tz);
  if (allowed.has(now.day) && now.minute >= from && now.minute < to) return t;
  for (let k = 0; k <= 7; k++) {
    if (!allowed.has((now.day + k) % 7) || (k === 0 && now.minute >= from)) continue;
    // Wall-clock arithmetic, then corrected once for a change of UTC offset (summer time) in between.
    let at = t - now.second * 1000 + (k * 1440 + from - now.minute) * 60_000;
    const there = local(at, tz);
    at += (from - there.minute) * 60_000;
    return at;
  }
  throw new Error("unreachable: a non-empty weekly window starts within 8 days");
}
