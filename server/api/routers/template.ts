// The template gallery: everyone signed in reads it; editors make a flow from a template and, for
// the question templates, start its first run in the same click.
import { z } from "zod";
import { flows } from "../../../db/store";
import { TEMPLATES, createFromTemplate, template } from "../../services/templates";
import { startRun } from "../../services/flows";
import { applyTrigger } from "../../services/triggers";
import { record } from "../../access";
import { takeLimit } from "../../limits";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";

export const templateRouter = createTRPCRouter({
  list: viewerProcedure.query(() => TEMPLATES),

  /**
   * A new flow from the template (its trigger live, as for any saved version); with `run`, a
   * question template's first run starts too. A run that cannot start leaves the flow made and
   * says why in `runError`, so the editor can open on it.
   */
  use: editorProcedure.input(z.object({ id: z.string().min(1).max(100), run: z.boolean().default(false) })).mutation(async ({ ctx, input }) => {
    const t = template(input.id);
    const saved = await createFromTemplate(ctx.store, ctx.registry, t.id, ctx.user.userId);
    await record(ctx.store, ctx.user, "flow.create", { target: saved.flowId, detail: { template: t.id } });
    const { graph } = await flows.get(ctx.store, saved.flowId, saved.version);
    await applyTrigger(ctx.store, ctx.registry, ctx.temporal, saved, graph);
    if (!input.run || t.kind !== "question") return { flowId: saved.flowId, version: saved.version, runId: null, runError: null };
    const status = await ctx.temporal.status();
    if (!status.reachable) {
      return { flowId: saved.flowId, version: saved.version, runId: null, runError: `The flow is made, but it cannot run yet: Temporal at ${status.address} does not answer. Start everything with npm start.` };
    }
    takeLimit("run", ctx.user);
    const started = await startRun(ctx.store, ctx.registry, ctx.temporal.client(), ctx.temporal.settings(), {
      versionId: saved.versionId,
      triggerKind: "manual",
      trigger: { kind: "manual", source: ctx.user.email },
    });
    await record(ctx.store, ctx.user, "run.start", { target: started.runId, detail: { flowId: saved.flowId, version: saved.version, trigger: "manual", template: t.id } });
    return { flowId: saved.flowId, version: saved.version, runId: started.runId, runError: null };
  }),
});
