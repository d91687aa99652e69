import { z } from "zod";
import { ConfigError, defineNode } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import jsonFile from "../source/json-file.node.ts";

/** A drop's name: what uploaders choose (`loopwright upload file.csv --drop returns`). */
export const DROP_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export default defineNode({
  type: "trigger.upload",
  version: 1,
  kind: "trigger",
  label: "When a file is uploaded",
  description:
    "Run the flow each time a CSV or JSON file is uploaded to a named drop, with the file's rows as its data. Upload to a drop from the Datasets page, the command line (loopwright upload file.csv --drop <name>) or the API (x-drop header).",
  inputs: {},
  outputs: { rows: "table" },
  config: z.object({
    drop: z.string().trim().toLowerCase().regex(DROP_NAME, "lower-case letters, digits, - and _ (up to 64), e.g. weekly-returns").describe("The drop's name: files uploaded to it start this flow."),
  }),
  async run({ ctx, inputs }) {
    const fileId = ctx.trigger.fileId;
    if (!fileId) {
      if (ctx.trigger.kind === "upload") throw new ConfigError("The upload that started this run names no file");
      // Started by hand: no file yet, so no rows.
      const rows = await ctx.datasets.create("SELECT CAST(NULL AS VARCHAR) AS file_id WHERE false");
      return { outputs: { rows }, metrics: { rows: 0, trigger: ctx.trigger.kind } };
    }
    const result =
      ctx.trigger.fileFormat === "json"
        ? await jsonFile.run({ config: jsonFile.config.parse({ fileId }), inputs, ctx })
        : await csvFile.run({ config: csvFile.config.parse({ fileId }), inputs, ctx });
    return { outputs: { rows: result.outputs.rows! }, metrics: { ...result.metrics, trigger: "upload", file: ctx.trigger.source ?? fileId } };
  },
});
