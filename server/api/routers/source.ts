// Sources of events and their write keys (admins), for the ingest API.
import { z } from "zod";
import { events } from "../../../db/store";
import { UNPLANNED_POLICIES } from "../../../db/schema/vocabulary";
import { record } from "../../access";
import { createSource, revokeSource, sourceView } from "../../services/sources";
import { adminProcedure, createTRPCRouter } from "../trpc";

export const sourceRouter = createTRPCRouter({
  list: adminProcedure.query(async ({ ctx }) => (await events.listSources(ctx.store)).map(sourceView)),

  /** The write key is in this answer only. */
  create: adminProcedure.input(z.object({ name: z.string().trim().min(1).max(100) })).mutation(({ ctx, input }) => createSource(ctx.store, ctx.user, input)),

  /** Events that were refused, newest first, each with every reason (field path and rule); counts of the inbox too. */
  events: adminProcedure
    .input(z.object({ sourceId: z.string().min(1).max(100).optional(), limit: z.number().int().min(1).max(1000).default(100) }).optional())
    .query(async ({ ctx, input }) => ({
      accepted: await events.inboxCount(ctx.store, input?.sourceId),
      failed: (await events.listFailed(ctx.store, { sourceId: input?.sourceId, limit: input?.limit ?? 100 })).map((f) => ({
        id: f.id,
        sourceId: f.sourceId,
        messageId: f.messageId,
        type: f.type,
        event: f.event,
        receivedAt: f.receivedAt,
        reasons: f.reasons,
      })),
    })),

  /** What happens to a track event whose name the tracking plan does not have: accepted, accepted and flagged, or refused. */
  setUnplanned: adminProcedure.input(z.object({ id: z.string().min(1).max(100), unplanned: z.enum(UNPLANNED_POLICIES) })).mutation(async ({ ctx, input }) => {
    const row = await events.setUnplanned(ctx.store, input.id, input.unplanned);
    await record(ctx.store, ctx.user, "source.change", { target: row.name, detail: { unplanned: row.unplanned } });
    return sourceView(row);
  }),

  revoke: adminProcedure.input(z.object({ id: z.string().min(1).max(100) })).mutation(({ ctx, input }) => revokeSource(ctx.store, ctx.user, input.id)),
});
