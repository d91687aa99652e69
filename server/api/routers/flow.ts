// Flows and their frozen versions: list, open, validate and save (the same checks as the CLI).
import { TRPCError } from "@trpc/server";
import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { flowVersions, flows, runs } from "../../../db/schema";
import type { FlowGraph } from "../../../workflows/graph/schema";
import { validateGraph } from "../../../workflows/graph/validate";
import { FLOW_ID, FlowBusyError, FlowNotFoundError, createFlow, deleteFlow, duplicateFlow, renameFlow, saveFlowVersion } from "../../services/flows";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const flowIdSchema = z.string().regex(FLOW_ID, "lower-case letters, digits and - (at most 64), starting with a letter or digit");

// The graph is taken as `unknown` on purpose: validateGraph checks its shape and reports every
// problem with the node, edge and field it is about, which a zod input error could not.
const graphInput = z.unknown();

const nameSchema = z.string().trim().min(1, "a flow needs a name").max(200);

type RunStatus = (typeof runs.$inferSelect)["status"];
export interface LastRun {
  id: string;
  status: RunStatus;
  createdAt: number;
  finishedAt: number | null;
}

/**
 * The service's domain errors as tRPC codes. trpc.ts maps errors by name for the shared ones;
 * these two only exist for this router, so they are translated here.
 */
function domain<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    // By name too, as trpc.ts does: bundling can give a class two identities.
    const name = err instanceof Error ? err.name : "";
    if (err instanceof FlowNotFoundError || name === "FlowNotFoundError") throw new TRPCError({ code: "NOT_FOUND", message: (err as Error).message, cause: err });
    if (err instanceof FlowBusyError || name === "FlowBusyError") throw new TRPCError({ code: "PRECONDITION_FAILED", message: (err as Error).message, cause: err });
    throw err;
  }
}

export const flowRouter = createTRPCRouter({
  /** Most recently edited first, each with its latest version's node count and its newest run. */
  list: publicProcedure.query(({ ctx }) => {
    const rows = ctx.db
      .select({ flow: flows, nodeCount: sql<number | null>`json_array_length(${flowVersions.graph}, '$.nodes')` })
      .from(flows)
      .leftJoin(flowVersions, and(eq(flowVersions.flowId, flows.id), eq(flowVersions.version, flows.latestVersion)))
      .orderBy(desc(flows.updatedAt), flows.id)
      .all();
    // The newest run of every flow in one pass, rather than one query per flow.
    const last = ctx.db.all<{ id: string; flowId: string; status: RunStatus; createdAt: number; finishedAt: number | null }>(sql`
      select id, flow_id as flowId, status, created_at as createdAt, finished_at as finishedAt from (
        select *, row_number() over (partition by flow_id order by created_at desc, rowid desc) as rn from runs
      ) where rn = 1`);
    const byFlow = new Map(last.map(({ flowId, ...run }) => [flowId, run satisfies LastRun]));
    return rows.map(({ flow, nodeCount }) => ({ ...flow, nodeCount: nodeCount ?? 0, lastRun: byFlow.get(flow.id) ?? null }));
  }),

  /** A new, empty flow under a fresh id derived from its name. */
  create: publicProcedure.input(z.object({ name: nameSchema })).mutation(({ ctx, input }) => createFlow(ctx.db, input.name)),

  /** The latest graph under a new name, saved as a new version (stale `expectedVersion`: CONFLICT). */
  rename: publicProcedure
    .input(z.object({ flowId: flowIdSchema, name: nameSchema, expectedVersion: z.number().int().min(0).optional() }))
    .mutation(({ ctx, input }) => domain(() => renameFlow(ctx.db, ctx.registry, input.flowId, input.name, input.expectedVersion))),

  /** A new flow "<name> (copy)" with the latest graph. */
  duplicate: publicProcedure.input(z.object({ flowId: flowIdSchema })).mutation(({ ctx, input }) => domain(() => duplicateFlow(ctx.db, ctx.registry, input.flowId))),

  /** The flow with its versions and runs; PRECONDITION_FAILED while a run is queued or running. */
  delete: publicProcedure.input(z.object({ flowId: flowIdSchema })).mutation(({ ctx, input }) => domain(() => deleteFlow(ctx.db, input.flowId))),

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
