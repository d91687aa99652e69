import { z } from "zod";
import { defineNode } from "../sdk";
import { conditions, matchMode } from "./conditions";

export const audienceTriggerConfig = z.object({
  conditions: conditions.describe("Who is in the audience: tests on profile traits, e.g. tenure < 12 and churn_score > 0.7."),
  match: matchMode,
  everyMinutes: z.number().min(0.05).max(7 * 24 * 60).default(60).describe("How often, in minutes, to check again who is in the audience."),
  on: z.enum(["entered", "left", "both"]).default("entered").describe("Start for customers who joined the audience since the last check, who left it, or both."),
});

export default defineNode({
  type: "trigger.audience",
  version: 1,
  kind: "trigger",
  label: "When customers enter an audience",
  description:
    "Check a group of customers (an audience, defined by their profile traits) regularly and start the flow for those who joined it, or left it, since the last check: one row each, with their traits as columns.",
  inputs: {},
  outputs: { customers: "table" },
  config: audienceTriggerConfig,
  async run({ ctx }) {
    const customers =
      (await ctx.triggerData()) ?? (await ctx.datasets.create("SELECT CAST(NULL AS VARCHAR) AS profile_id, CAST(NULL AS VARCHAR) AS user_id, CAST(NULL AS VARCHAR) AS change WHERE false"));
    return { outputs: { customers }, metrics: { customers: customers.rows, trigger: ctx.trigger.kind } };
  },
});
