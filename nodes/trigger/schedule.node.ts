import { z } from "zod";
import { advanced, defineNode } from "../sdk";

export const scheduleTriggerConfig = z
  .object({
    every: z.enum(["minutes", "hours", "days", "cron"]).default("hours").describe("Run every few minutes, hours or days, or at times given as a cron expression."),
    interval: z.number().int().min(1).max(1000).default(1).describe("How many minutes, hours or days between runs."),
    cron: z
      .string()
      .trim()
      .max(200)
      .optional()
      .describe('A cron expression (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5" for 09:00 on weekdays. Used when "every" is cron.'),
    timeZone: z.string().trim().max(100).default("UTC").describe("The time zone the schedule keeps, e.g. Europe/Paris (daylight saving included)."),
    overlap: advanced(
      z
        .enum(["skip", "buffer one", "allow all", "cancel other", "terminate other"])
        .default("skip")
        .describe("When a run is due while the last one is still going: skip it, run it after, run both, or stop the old one."),
    ),
    catchupMinutes: advanced(
      z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 60)
        .default(60)
        .describe("After an outage, runs missed within this many minutes are still made; older ones are skipped."),
    ),
  })
  .superRefine((c, ctx) => {
    if (c.every === "cron" && !c.cron) ctx.addIssue({ code: "custom", path: ["cron"], message: "Give a cron expression, or choose minutes, hours or days" });
    if (c.every === "cron" && c.cron && c.cron.split(/\s+/).length !== 5) {
      ctx.addIssue({ code: "custom", path: ["cron"], message: 'A cron expression has five parts: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"' });
    }
    try {
      new Intl.DateTimeFormat("en", { timeZone: c.timeZone });
    } catch {
      ctx.addIssue({ code: "custom", path: ["timeZone"], message: `"${c.timeZone}" is not a time zone; use a name such as Europe/Paris or America/New_York` });
    }
  });

export default defineNode({
  type: "trigger.schedule",
  version: 1,
  kind: "trigger",
  label: "On a schedule",
  description:
    "Run the flow on a schedule: every few minutes, hours or days, or at set times. Pause, resume or make up missed runs from the node's panel. Gives one row: when the run was due.",
  inputs: {},
  outputs: { run: "table" },
  config: scheduleTriggerConfig,
  async run({ ctx }) {
    const { ident, literal } = ctx.datasets;
    const due = ctx.trigger.scheduledAt ? `epoch_ms(${Math.trunc(ctx.trigger.scheduledAt)})` : "now()::TIMESTAMP";
    const run = await ctx.datasets.create(`SELECT ${literal(ctx.runId)} AS ${ident("run_id")}, ${due} AS ${ident("scheduled_at")}, ${literal(ctx.trigger.kind)} AS ${ident("trigger")}`);
    return { outputs: { run }, metrics: { trigger: ctx.trigger.kind } };
  },
});
