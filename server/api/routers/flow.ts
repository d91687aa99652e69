// Flows and their frozen versions: list, open, validate and save (the same checks as the CLI).
import { z } from "zod";
import { flows, journeys, triggers, type Store } from "../../../db/store";
import { FLOW_ID } from "../../../workflows/graph/schema";
import { validateGraph } from "../../../workflows/graph/validate";
import { createFlow, duplicateFlow, renameFlow, restoreVersion, saveFlowVersion } from "../../services/flows";
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

/**
 * Every saved version's trigger is what starts the flow from then on (its schedule, its events...).
 * A draft's is not: the trigger and schedule keep running the latest version without problems.
 */
async function applySaved(ctx: Pick<Context, "store" | "registry" | "temporal">, saved: SavedVersion): Promise<void> {
  if (saved.problems) return;
  await applyTrigger(ctx.store, ctx.registry, ctx.temporal, saved, (await flows.get(ctx.store, saved.flowId, saved.version)).graph);
}

/** What starts the flow by itself, and the version it starts (null: started by hand only). */
async function liveTrigger(store: Store, flowId: string): Promise<{ kind: string; version: number } | null> {
  const t = await triggers.forFlow(store, flowId);
  return t ? { kind: t.kind, version: Number(t.flowVersionId.slice(t.flowVersionId.lastIndexOf("@") + 1)) } : null;
}

/** A save's answer: the version, whether it is a draft, and what the flow's trigger runs now. */
async function savedAnswer(store: Store, saved: SavedVersion) {
  return { ...saved, trigger: await liveTrigger(store, saved.flowId) };
}

export const flowRouter = createTRPCRouter({
  /** Most recently edited first, each with its latest version's node count and its newest run. */
  list: viewerProcedure.query(({ ctx }) => flows.list(ctx.store)),

  /** A new, empty flow under a fresh id derived from its name. */
  create: editorProcedure.input(z.object({ name: nameSchema })).mutation(async ({ ctx, input }) => {
    const flow = await createFlow(ctx.store, input.name, ctx.user.userId);
    await record(ctx.store, ctx.user, "flow.create", { target: flow.flowId, detail: { name: input.name } });
    return flow;
  }),

  /** The latest graph under a new name, saved as a new version (stale `expectedVersion`: CONFLICT). */
  rename: editorProcedure
    .input(z.object({ flowId: flowIdSchema, name: nameSchema, expectedVersion: z.number().int().min(0).optional() }))
    .mutation(async ({ ctx, input }) => {
      const saved = await renameFlow(ctx.store, ctx.registry, input.flowId, input.name, input.expectedVersion, ctx.user.userId);
      await record(ctx.store, ctx.user, "flow.save", { target: input.flowId, detail: { version: saved.version, renamedTo: input.name } });
      await applySaved(ctx, saved);
      return savedAnswer(ctx.store, saved);
    }),

  /** A new flow "<name> (copy)" with the latest graph. */
  duplicate: editorProcedure.input(z.object({ flowId: flowIdSchema })).mutation(async ({ ctx, input }) => {
    const copy = await duplicateFlow(ctx.store, ctx.registry, input.flowId, ctx.user.userId);
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

  /**
   * One version of a flow: the latest unless `version` is given, with its problems if it is a draft,
   * the latest version without problems, and what the flow's trigger runs.
   */
  get: viewerProcedure
    .input(z.object({ flowId: flowIdSchema, version: z.number().int().min(1).optional() }))
    .query(async ({ ctx, input }) => ({ ...(await flows.get(ctx.store, input.flowId, input.version)), trigger: await liveTrigger(ctx.store, input.flowId) })),

  /** Every version, newest first: who saved it and when, and whether it is a draft (with its problems). */
  versions: viewerProcedure.input(z.object({ flowId: flowIdSchema })).query(({ ctx, input }) => flows.versions(ctx.store, input.flowId)),

  /**
   * An earlier version saved again as the newest (restoring 1 over 3 makes version 4, equal to 1).
   * `expectedVersion` is the version the editor has: a newer one saved meanwhile is a CONFLICT.
   */
  restore: editorProcedure
    .input(z.object({ flowId: flowIdSchema, version: z.number().int().min(1), expectedVersion: z.number().int().min(0) }))
    .mutation(async ({ ctx, input }) => {
      const saved = await restoreVersion(ctx.store, ctx.registry, input.flowId, input.version, { expectedVersion: input.expectedVersion, createdBy: ctx.user.userId });
      await record(ctx.store, ctx.user, "flow.save", { target: saved.flowId, detail: { version: saved.version, restoredFrom: input.version, ...(saved.problems ? { draft: saved.problems.length } : {}) } });
      await applySaved(ctx, saved);
      return savedAnswer(ctx.store, saved);
    }),

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
   * CONFLICT rather than a silent overwrite. A graph with problems is refused (BAD_REQUEST with
   * every problem), unless `draft` is set: then it is saved as a draft, which never runs. A graph
   * that cannot be parsed at all (no name) is refused either way.
   */
  save: editorProcedure
    .input(z.object({ graph: graphInput, flowId: flowIdSchema.optional(), expectedVersion: z.number().int().min(0).optional(), draft: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      const saved = await saveFlowVersion(ctx.store, ctx.registry, input.graph, { flowId: input.flowId, expectedVersion: input.expectedVersion, draft: input.draft, createdBy: ctx.user.userId });
      await record(ctx.store, ctx.user, "flow.save", { target: saved.flowId, detail: { version: saved.version, ...(saved.problems ? { draft: saved.problems.length } : {}) } });
      await applySaved(ctx, saved);
      return savedAnswer(ctx.store, saved);
    }),
});
