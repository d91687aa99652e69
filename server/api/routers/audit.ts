// The audit log, for admins: newest first, filtered. The CSV export is the route /api/audit.csv.
import { z } from "zod";
import { audit } from "../../../db/store";
import { createTRPCRouter, adminProcedure } from "../trpc";

export const auditFilter = z.object({
  action: z.string().trim().max(100).optional(),
  actor: z.string().trim().max(320).optional(),
  target: z.string().trim().max(500).optional(),
  outcome: z.enum(["ok", "failed", "refused"]).optional(),
  from: z.number().int().optional(),
  to: z.number().int().optional(),
  before: z.object({ at: z.number().int(), id: z.string().max(100) }).optional(),
  limit: z.number().int().min(1).max(1000).default(200),
});

export const auditRouter = createTRPCRouter({
  list: adminProcedure.input(auditFilter.optional()).query(({ ctx, input }) => audit.list(ctx.store, input ?? {})),
});
