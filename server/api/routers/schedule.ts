// A flow's schedule (its trigger is "On a schedule"): describe it in words with its next runs,
// pause and resume it, and backfill a past range. The schedule itself is written when the flow is
// saved (server/services/triggers.ts) and deleted with the flow.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { runs, triggers } from "../../../db/store";
import { isAppError } from "../../../lib/errors";
import { record } from "../../access";
import { backfillSchedule, describeSchedule, pauseSchedule, resumeSchedule } from "../../services/schedules";
import { createTRPCRouter, editorProcedure, viewerProcedure, type Context } from "../trpc";
import { flowIdSchema } from "./flow";

/** Fail fast with the reason, rather than letting the SDK retry an unreachable server for half a minute. */
async function requireTemporal(ctx: Context) {
  const status = await ctx.temporal.status();
  if (!status.reachable) {
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: `Cannot reach Temporal at ${status.address}: ${status.error ?? "unknown error"}. Start everything with \`npm start\`, or set TEMPORAL_ADDRESS.`,
    });
  }
}

/** Epoch ms, or an ISO 8601 time with its offset ("2024-12-03T09:00:00Z"). */
const instant = z.union([z.number().int().min(0), z.string().trim().min(1).max(100)]).transform((v, ctx) => {
  const ms = typeof v === "number" ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: `"${v}" is not a time: give epoch milliseconds or an ISO 8601 time such as 2024-12-03T09:00:00Z` });
    return z.NEVER;
  }
  return ms;
});

const noteSchema = z.string().trim().max(500).optional();

/** The run ids among `ids` that are in the store. */
async function existingRuns(ctx: Context, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let n = 0; n < ids.length; n += 50) {
    await Promise.all(
      ids.slice(n, n + 50).map((id) =>
        runs.row(ctx.store, id).then(
          () => found.add(id),
          (err: unknown) => {
            if (!isAppError(err) || err.code !== "NOT_FOUND") throw err;
          },
        ),
      ),
    );
  }
  return found;
}

export const scheduleRouter = createTRPCRouter({
  /**
   * The schedule in words, paused or not, its next five runs (epoch ms, and in words in its time
   * zone) and its latest runs. `exists: false` when the flow's saved trigger is not a schedule.
   */
  describe: viewerProcedure.input(z.object({ flowId: flowIdSchema })).query(async ({ ctx, input }) => {
    const trigger = await triggers.forFlow(ctx.store, input.flowId);
    const isSchedule = trigger?.kind === "schedule";
    await requireTemporal(ctx);
    const view = await describeSchedule(ctx.temporal.client(), input.flowId);
    let problem: string | null = null;
    if (!isSchedule && !view.exists) problem = "The saved flow is not started by a schedule: save it with an “On a schedule” trigger first.";
    else if (!view.exists) problem = "The schedule is missing in Temporal: save the flow again to create it.";
    return { ...view, flowId: input.flowId, problem };
  }),

  pause: editorProcedure.input(z.object({ flowId: flowIdSchema, note: noteSchema })).mutation(async ({ ctx, input }) => {
    await requireTemporal(ctx);
    const note = `Paused by ${ctx.user.email}${input.note ? `: ${input.note}` : ""}`;
    await pauseSchedule(ctx.temporal.client(), input.flowId, note);
    await record(ctx.store, ctx.user, "schedule.pause", { target: input.flowId, detail: input.note ? { note: input.note } : null });
    return { flowId: input.flowId, paused: true, note };
  }),

  resume: editorProcedure.input(z.object({ flowId: flowIdSchema, note: noteSchema })).mutation(async ({ ctx, input }) => {
    await requireTemporal(ctx);
    const note = `Resumed by ${ctx.user.email}${input.note ? `: ${input.note}` : ""}`;
    await resumeSchedule(ctx.temporal.client(), input.flowId, note);
    await record(ctx.store, ctx.user, "schedule.resume", { target: input.flowId, detail: input.note ? { note: input.note } : null });
    return { flowId: input.flowId, paused: false, note };
  }),

  /**
   * Run every interval due from `from` to `to` (both included, in the past) that has no run yet,
   * all at once. At most 1000 runs; a range in the future or with nothing due is refused.
   */
  backfill: editorProcedure.input(z.object({ flowId: flowIdSchema, from: instant, to: instant })).mutation(async ({ ctx, input }) => {
    await requireTemporal(ctx);
    const result = await backfillSchedule(ctx.temporal.client(), input.flowId, { from: input.from, to: input.to }, { hasRun: (ids) => existingRuns(ctx, ids) });
    await record(ctx.store, ctx.user, "schedule.backfill", {
      target: input.flowId,
      detail: { from: new Date(input.from).toISOString(), to: new Date(input.to).toISOString(), due: result.due.length, started: result.started.length },
    });
    return { flowId: input.flowId, due: result.due.length, started: result.started.length, alreadyRun: result.alreadyRun.length, times: result.started };
  }),
});
