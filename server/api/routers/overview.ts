// The home page's few figures: runs lately, customers reached, journeys live now.
import { z } from "zod";
import { overview } from "../../../db/store";
import { createTRPCRouter, viewerProcedure } from "../trpc";

const DAY = 86_400_000;

export const overviewRouter = createTRPCRouter({
  /** Over the last `days` days (7 unless given); live figures are as of now. */
  figures: viewerProcedure
    .input(z.object({ days: z.number().int().min(1).max(365).default(7) }).optional())
    .query(({ ctx, input }) => overview.figures(ctx.store, Date.now() - (input?.days ?? 7) * DAY)),
});
