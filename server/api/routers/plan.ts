// The tracking plan ("event specification"): what each event's properties (and identify traits)
// must look like; editors keep it, everyone signed in reads it.
import { z } from "zod";
import { plan } from "../../../db/store";
import { failureSummary, replayFailed, savePlanEntry } from "../../services/tracking-plan";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";

const eventName = z.string().trim().min(1).max(200);

export const planRouter = createTRPCRouter({
  /** The newest version of every entry. */
  list: viewerProcedure.query(({ ctx }) => plan.latest(ctx.store)),

  history: viewerProcedure.input(z.object({ event: eventName })).query(({ ctx, input }) => plan.history(ctx.store, input.event)),

  /** A new version of an entry; the schema must compile (BAD_REQUEST says why). */
  save: editorProcedure
    .input(z.object({ event: eventName, schema: z.record(z.string(), z.unknown()), description: z.string().max(2000).nullable().optional() }))
    .mutation(({ ctx, input }) => savePlanEntry(ctx.store, ctx.user, input)),

  /** Failed events not replayed yet, counted per reason. */
  failures: viewerProcedure.input(z.object({ sourceId: z.string().max(100).optional() }).optional()).query(({ ctx, input }) => failureSummary(ctx.store, input?.sourceId)),

  /** Checks failed events again against the current plan and lets those that pass in. */
  replay: editorProcedure
    .input(z.object({ sourceId: z.string().max(100).optional(), ids: z.array(z.string().max(100)).max(10_000).optional() }).optional())
    .mutation(({ ctx, input }) => replayFailed(ctx.store, ctx.user, input ?? {})),
});
