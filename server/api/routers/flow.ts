// Flows and their frozen versions: list, open, validate and save (the same checks as the CLI).
import { TRPCError } from "@trpc/server";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { flowVersions, flows } from "../../../db/schema";
import type { FlowGraph } from "../../../workflows/graph/schema";
import { validateGraph } from "../../../workflows/graph/validate";
import { FLOW_ID, saveFlowVersion } from "../../services/flows";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const flowIdSchema = z.string().regex(FLOW_ID, "lower-case letters, digits and - (at most 64), starting with a letter or digit");

// The graph is taken as `unknown` on purpose: validateGraph checks its shape and reports every
// problem with the node, edge and field it is about, which a zod input error could not.
const graphInput = z.unknown();

export const flowRouter = createTRPCRouter({
  list: publicProcedure.query(({ ctx }) => ctx.db.select().from(flows).orderBy(desc(flows.updatedAt)).all()),

  /** One version of a flow: the latest unless `version` is given. */
  get: publicProcedure
    .input(z.object({ flowId: flowIdSchema, version: z.number().int().min(1).optional() }))
    .query(({ ctx, input }) => {
      const flow = ctx.db.select().from(flows).where(eq(flows.id, input.flowId)).get();
      if (!flow) throw new TRPCError({ code: "NOT_FOUND", message: `No flow "${input.flowId}"` });
      const version = input.version ?? flow.latestVersion;
      const row = ctx.db
        .select()
        .from(flowVersions)
        .where(and(eq(flowVersions.flowId, flow.id), eq(flowVersions.version, version)))
        .get();
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `Flow "${flow.id}" has no version ${version}` });
      // Versions are validated when saved, so the stored JSON is a FlowGraph.
      return { flow, versionId: row.id, version: row.version, graph: row.graph as FlowGraph, savedAt: row.createdAt };
    }),

  // A mutation although it changes nothing: graphs can be large, and mutations travel in the
  // request body rather than the URL.
  validate: publicProcedure.input(z.object({ graph: graphInput })).mutation(({ ctx, input }) => {
    const result = validateGraph(input.graph, ctx.registry);
    return { ok: result.ok, problems: result.problems };
  }),

  /**
   * Freeze the graph as the flow's next version (an unchanged graph keeps its version).
   * `expectedVersion` is the version the editor started from: a newer one saved meanwhile is a
   * CONFLICT rather than a silent overwrite.
   */
  save: publicProcedure
    .input(z.object({ graph: graphInput, flowId: flowIdSchema.optional(), expectedVersion: z.number().int().min(0).optional() }))
    .mutation(({ ctx, input }) => saveFlowVersion(ctx.db, ctx.registry, input.graph, { flowId: input.flowId, expectedVersion: input.expectedVersion })),
});
