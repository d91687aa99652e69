import { z } from "zod";
import { defineNode } from "../sdk";

export default defineNode({
  type: "trigger.manual",
  version: 1,
  kind: "trigger",
  label: "When I press Run",
  description:
    "Start the flow by hand (the Run button, the command line or the API). Gives one row: when the run started and who started it.",
  inputs: {},
  outputs: { run: "table" },
  config: z.object({}),
  async run({ ctx }) {
    const { ident, literal } = ctx.datasets;
    const run = await ctx.datasets.create(
      `SELECT ${literal(ctx.runId)} AS ${ident("run_id")}, now()::TIMESTAMP AS ${ident("started_at")}, ${literal(ctx.trigger.kind)} AS ${ident("trigger")}, ${literal(ctx.trigger.source ?? "")} AS ${ident("started_by")}`,
    );
    return { outputs: { run }, metrics: { trigger: ctx.trigger.kind } };
  },
});
