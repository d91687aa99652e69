// A flow's conversion goal: viewers read the conversion per arm and per path against the control
// group; editors set or remove the goal (each change in the audit log).
import { z } from "zod";
import { goals } from "../../../db/store";
import { NotFound } from "../../../lib/errors";
import { goalResults, saveGoal } from "../../services/flow-goals";
import { record } from "../../access";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";
import { flowIdSchema } from "./flow";

export const goalRouter = createTRPCRouter({
  /** The goal (null when none is set) and the flow's conversion by it, computed now. */
  results: viewerProcedure.input(z.object({ flowId: flowIdSchema })).query(({ ctx, input }) => goalResults(ctx.store, input.flowId)),

  /**
   * Sets the flow's goal: event, property tests, all/any, attribution window in days. The goal is
   * taken as `unknown` and checked by the service, whose error names the field.
   */
  save: editorProcedure.input(z.object({ flowId: flowIdSchema, goal: z.unknown() })).mutation(async ({ ctx, input }) => {
    const saved = await saveGoal(ctx.store, input.flowId, input.goal);
    await record(ctx.store, ctx.user, "flow.goal", { target: input.flowId, detail: { event: saved.event, days: saved.days, conditions: saved.conditions.length } });
    return saved;
  }),

  remove: editorProcedure.input(z.object({ flowId: flowIdSchema })).mutation(async ({ ctx, input }) => {
    if (!(await goals.remove(ctx.store, input.flowId))) throw new NotFound(`Flow "${input.flowId}" has no goal`);
    await record(ctx.store, ctx.user, "flow.goal", { target: input.flowId, detail: { removed: true } });
    return { removed: true };
  }),
});
