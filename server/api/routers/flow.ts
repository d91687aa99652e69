// Flows and their frozen versions: list, open, validate and save (the same checks as the CLI).
import { z } from "zod";
import { flows, journeys } from "../../../db/store";
import { FLOW_ID } from "../../../workflows/graph/schema";
import { validateGraph } from "../../../workflows/graph/validate";
import { createFlow, duplicateFlow, renameFlow, saveFlowVersion } from "../../services/flows";
import { applyTrigger, removeTrigger } from "../../services/triggers";
import { record } from "../../access";
import type { SavedVersion } from "../../../db/store/flows";
import { createTRPCRouter, editorProcedure, viewerProcedure, type Context } from "../trpc";

export const flowIdSchema = z.string().regex(FLOW_ID, "lower-case letters, digits and - (at most 64), starting with a letter or digit");

// The graph is taken as `unknown` on purpose: validateGraph checks its shape and reports every
// problem with the node, edge and field it is about, which a zod input error could not.
const graphInput = z.unknown();

const nameSchema = z.string().trim().min(1, "a flow needs a name").max(200);

export type { LastRun } from "../../../db/store/flows";

/** Every saved version's trigger is what starts the flow from then on (its schedule, its events...). */
async function applySaved(ctx: Pick<Context, "store" | "registry" | "temporal">, saved: SavedVersion): Promise<void> {
  await applyTrigger(ctx.store, ctx.registry, ctx.temporal, saved, (await flows.get(ctx.store, saved.flowId, saved.version)).graph);
}

export const flowRouter = createTRPCRouter({
  /** Most recently edited first, each with its latest version's node count and its newest run. */
  list: viewerProcedure.query(({ ctx }) => flows.list(ctx.store)),

  /** A new, empty flow under a fresh id derived from its name. */
  create: editorProcedure.input(z.object({ name: nameSchema })).mutation(async ({ ctx, input }) => {
    const flow = await createFlow(ctx.store, input.name);
    await record(ctx.store, ctx.user, "flow.create", { target: flow.flowId, detail: { name: input.name } });
    return flow;
  }),

  /** The latest graph under a new name, saved as a new version (stale `expectedVersion`: CONFLICT). */
  rename: editorProcedure
    .input(z.object({ flowId: flowIdSchema, name: nameSchema, expectedVersion: z.number().int().min(0).optional() }))
    .mutation(async ({ ctx, input }) => {
      const saved = await renameFlow(ctx.store, ctx.registry, input.flowId, input.name, input.expectedVersion);
      await record(ctx.store, ctx.user, "flow.save", { target: input.flowId, detail: { version: saved.version, renamedTo: input.name } });
      await applySaved(ctx, saved);
      return saved;
    }),

  /** A new flow "<name> (copy)" with the latest graph. */
  duplicate: editorProcedure.input(z.object({ flowId: flowIdSchema })).mutation(async ({ ctx, input }) => {
    const copy = await duplicateFlow(ctx.store, ctx.registry, input.flowId);
    await record(ctx.store, ctx.user, "flow.create", { target: copy.flowId, detail: { duplicateOf: input.flowId } });
    // Like any saved version, the copy's trigger is live (a copied schedule gets a schedule of its own).
    await applySaved(ctx, copy);
    return copy;
  }),

  /** The flow with its versions and runs; PRECONDITION_FAILED while a run is queued or running. */
  delete: editorProcedure.input(z.object({ flowId: flowIdSchema })).mutation(async ({ ctx, input }) => {
    const removed = await flows.remove(ctx.store, input.flowId);
    await removeTrigger(ctx.store, ctx.temporal, input.flowId);
    await record(ctx.store, ctx.user, "flow.delete", { target: input.flowId });
    return removed;
  }),

  /** One version of a flow: the latest unless `version` is given. */
  get: viewerProcedure
    .input(z.object({ flowId: flowIdSchema, version: z.number().int().min(1).optional() }))
    .query(({ ctx, input }) => flows.get(ctx.store, input.flowId, input.version)),

  /**
   * For each version with runs still going, per node: customers entered, waiting now and passed on,
   * over all its runs (counts only, no customer). Empty when nothing runs.
   */
  liveCounts: viewerProcedure.input(z.object({ flowId: flowIdSchema })).query(({ ctx, input }) => journeys.nodeCounts(ctx.store, input.flowId)),

  // A mutation although it changes nothing: graphs can be large, and mutations travel in the
  // request body rather than the URL.
  validate: viewerProcedure.input(z.object({ graph: graphInput })).mutation(({ ctx, input }) => {
    const result = validateGraph(input.graph, ctx.registry);
    return { ok: result.ok, problems: result.problems };
  }),

  /**
   * Freeze the graph as the flow's next version (an unchanged graph keeps its version).
   * `expectedVersion` is the version the editor started from: a newer one saved meanwhile is a
   * CONFLICT rather than a silent overwrite.
   */
  save: editorProcedure
    .input(z.object({ graph: graphInput, flowId: flowIdSchema.optional(), expectedVersion: z.number().int().min(0).optional() }))
    .mutation(async ({ ctx, input }) => {
      const saved = await saveFlowVersion(ctx.store, ctx.registry, input.graph, { flowId: input.flowId, expectedVersion: input.expectedVersion });
      await record(ctx.store, ctx.user, "flow.save", { target: saved.flowId, detail: { version: saved.version } });
      await applySaved(ctx, saved);
      return saved;
    }),
});
