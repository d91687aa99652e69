// Journey step: wait. Holds each customer for a duration, or until a date from a column (e.g. 7
// days before renewal), optionally moved into a weekly time window in the customer's own time zone
// (the profile trait `timezone`). Customers due at the same time form one part; the rest of the
// flow runs for each part, at its time, as a run of its own (the run holding them sleeps on a
// Temporal timer meanwhile, costing nothing per customer).
import { z } from "zod";
import { advanced, column, ConfigError, defineNode, type DatasetRef, sameColumns } from "../sdk";
import { checkNoPositionColumn, POSITION, requireColumn, trimSql } from "../transform/sql-helpers";
import { customerIds, rowsWhere } from "./customers";
import { DAYS, nextInWindow, UNIT_MS, validZone } from "./wait-time";

const LABEL = "Wait";
const BATCH = 10_000;
/** Release times are rounded up to these steps, coarser while there would be more than MAX_PARTS parts. */
const STEPS = [1_000, 60_000, 15 * 60_000, 3_600_000, 86_400_000];
const MAX_PARTS = 200;
const TAG = "__loopwright_part";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "Write the time as HH:MM, e.g. 09:00");

export const waitConfig = z
  .object({
    mode: z.enum(["for", "until", "at"]).default("for").describe("Wait for a while, until a date in a column, or until a fixed date."),
    amount: z.number().default(3).describe("How long (mode for), or how far from the date (mode until: negative is before it, e.g. -7 days)."),
    unit: z.enum(["seconds", "minutes", "hours", "days"]).default("days").describe("The unit of the amount."),
    dateColumn: column(z.string()).default("").describe("Mode until: the column with each customer's date (e.g. their renewal date)."),
    date: z.string().default("").describe("Mode at: the date and time everyone goes on, in UTC unless it says otherwise (e.g. 2026-12-24T09:00:00Z)."),
    customerId: column(z.string()).default("").describe("The column with each row's customer id: their profile's time zone places the window (needed with a window), and those who leave the journey while they wait stay behind."),
    window: z.boolean().default(false).describe("Release only inside a time window of the customer's day (e.g. weekdays 09:00-20:00), in their time zone."),
    days: z.array(z.enum(DAYS)).min(1, "Choose at least one day").default(["mon", "tue", "wed", "thu", "fri"]).describe("The days of the window."),
    from: hhmm.default("09:00").describe("The window opens (HH:MM, the customer's time)."),
    to: hhmm.default("20:00").describe("The window closes (HH:MM, the customer's time)."),
    timeZone: advanced(z.string().default("UTC").describe("The time zone of customers whose profile has none (e.g. Europe/Paris).")),
  })
  .superRefine((c, issue) => {
    if (c.mode === "for" && c.amount < 0) issue.addIssue({ code: "custom", path: ["amount"], message: "Wait for 0 or more (a negative amount is for mode until: before the date)" });
    if (c.mode === "at" && !Number.isFinite(Date.parse(c.date))) issue.addIssue({ code: "custom", path: ["date"], message: `Give a date and time, e.g. 2026-12-24T09:00:00Z${c.date ? ` ("${c.date}" is not one)` : ""}` });
    if (c.mode === "until" && !c.dateColumn) issue.addIssue({ code: "custom", path: ["dateColumn"], message: "Choose the column with the date to wait for" });
    if (c.window && !c.customerId) issue.addIssue({ code: "custom", path: ["customerId"], message: "Choose the customer id column: the window is in each customer's time zone" });
    if (c.window && c.from >= c.to) issue.addIssue({ code: "custom", path: ["to"], message: `The window closes (${c.to}) before it opens (${c.from})` });
    if (!validZone(c.timeZone)) issue.addIssue({ code: "custom", path: ["timeZone"], message: `"${c.timeZone}" is not a time zone (e.g. Europe/Paris, America/New_York, UTC)` });
  });

/** The coarsest rounding that keeps the parts at most MAX_PARTS (and exact times when few). */
function rounding(times: Float64Array): number {
  for (const step of STEPS) {
    const distinct = new Set<number>();
    for (const t of times) if (!Number.isNaN(t) && distinct.add(Math.ceil(t / step)).size > MAX_PARTS) break;
    if (distinct.size <= MAX_PARTS) return step;
  }
  return STEPS[STEPS.length - 1]!;
}

export default defineNode({
  type: "control.wait",
  version: 1,
  kind: "control",
  label: LABEL,
  description:
    "Wait before the rest of the flow: for a while, until a date from a column, or until a fixed date, optionally only inside a time window of each customer's day in their own time zone. Customers due at the same time go on together.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  columns: sameColumns("rows"),
  config: waitConfig,
  async run({ config: c, inputs, ctx }) {
    const input = inputs.rows;
    if (ctx.journey.phase === "released") {
      // A part is due: those who left the journey (its exit event) while they waited stay behind.
      if (!c.customerId) return { outputs: { rows: input }, metrics: { released: input.rows } };
      const { ids } = await customerIds(ctx, input, c.customerId);
      const gone = await ctx.journey.exited(ids);
      const rows = gone.size ? await rowsWhere(ctx, input, c.customerId, (id) => id === null || !gone.has(id)) : input;
      return { outputs: { rows }, metrics: { released: rows.rows, ...(gone.size ? { left: gone.size } : {}) } };
    }
    const ds = ctx.datasets;
    if (c.customerId) requireColumn(input, c.customerId, "customerId", LABEL);
    if (c.mode === "until") requireColumn(input, c.dateColumn, "dateColumn", LABEL);
    checkNoPositionColumn(input, LABEL, "customerId");
    const now = Date.now();
    const shift = c.amount * UNIT_MS[c.unit];
    const window = c.window ? { days: c.days, from: c.from, to: c.to } : null;
    const at = new Float64Array(input.rows).fill(NaN);
    const placed = new Map<string, number>();
    let withoutDate = 0;
    const id = c.customerId ? `NULLIF(${trimSql(ds, `CAST(${ds.ident(c.customerId)} AS VARCHAR)`)}, '')` : "NULL";
    const date = c.mode === "until" ? `epoch_ms(TRY_CAST(${ds.ident(c.dateColumn)} AS TIMESTAMP))` : "NULL";
    for await (const batch of ds.batches<{ pos: bigint | number; id: string | null; date: bigint | number | null }>(
      `SELECT ${POSITION} AS pos, ${id} AS id, ${date} AS date FROM ${ds.fromWithPosition(input)}`,
      BATCH,
    )) {
      ctx.signal.throwIfAborted();
      const traits = window ? await ctx.profiles.traits([...new Set(batch.map((r) => r.id).filter((v): v is string => !!v))]) : null;
      for (const row of batch) {
        let t = c.mode === "at" ? Math.max(now, Date.parse(c.date)) : now + shift;
        if (c.mode === "until") {
          if (row.date === null) withoutDate++;
          t = row.date === null ? now : Math.max(now, Number(row.date) + shift);
        }
        if (window) {
          const own = row.id ? traits!.get(row.id)?.traits.timezone : undefined;
          const tz = typeof own === "string" && validZone(own) ? own : c.timeZone;
          const key = `${tz}|${Math.floor(t / 60_000)}`;
          let moved = placed.get(key);
          if (moved === undefined) placed.set(key, (moved = nextInWindow(t, tz, window)));
          t = Math.max(t, moved);
        }
        at[Number(row.pos)] = t;
      }
    }
    if (c.mode === "until" && withoutDate === input.rows && input.rows > 0) {
      throw new ConfigError(`${LABEL}: dateColumn: no row of "${c.dateColumn}" holds a date`, { field: "dateColumn" });
    }

    const step = rounding(at);
    const times = [...new Set(Array.from(at, (t) => Math.ceil(t / step) * step))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const tagged = await ds.addColumns(input, [{ name: TAG, type: "INTEGER", values: Array.from(at, (t) => index.get(Math.ceil(t / step) * step)!) }]);
    const parts: { at: number; label: string; outputs: Record<string, DatasetRef> }[] = [];
    const schedule: { at: string; customers: number }[] = [];
    for (const [i, t] of times.entries()) {
      const rows = await ds.create(`SELECT * EXCLUDE (${TAG}) FROM ${ds.from(tagged)} WHERE ${TAG} = ${i}`);
      parts.push({ at: t, label: `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`, outputs: { rows } });
      schedule.push({ at: new Date(t).toISOString(), customers: rows.rows });
    }
    return {
      outputs: {},
      hold: { kind: "timer", parts },
      metrics: {
        customers: input.rows,
        parts: parts.length,
        ...(parts.length ? { first: new Date(times[0]!).toISOString(), last: new Date(times[times.length - 1]!).toISOString() } : {}),
        ...(withoutDate ? { rowsWithoutDate: withoutDate } : {}),
        // When each part goes on (at most MAX_PARTS): the flow's live counts tell waiting from gone on by it.
        schedule,
      },
    };
  },
});
