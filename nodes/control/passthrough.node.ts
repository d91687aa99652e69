import { z } from "zod";
import { defineNode, sameColumns } from "../sdk";

export default defineNode({
  type: "control.passthrough",
  version: 1,
  kind: "control",
  label: "Pass through",
  description:
    "A junction: passes its input on unchanged (nothing is copied), or an empty table when nothing is connected.",
  inputs: { rows: { type: "table", optional: true } },
  outputs: { rows: "table" },
  columns: sameColumns("rows"),
  config: z.object({}),
  async run({ inputs, ctx }) {
    const rows = inputs.rows ?? (await ctx.datasets.create("SELECT 1 AS x WHERE false"));
    return { outputs: { rows }, metrics: { rows: rows.rows } };
  },
});
