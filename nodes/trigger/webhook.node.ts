import { z } from "zod";
import { advanced, defineNode } from "../sdk";

export const webhookTriggerConfig = z.object({
  auth: advanced(
    z
      .enum(["signature", "token"])
      .default("signature")
      .describe("How senders prove who they are: a Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature headers) or a bearer token."),
  ),
  cohortSeconds: advanced(z.number().min(0.1).max(3600).default(1).describe("Calls are collected for at most this many seconds, then start one run together (a cohort).")),
  cohortSize: advanced(z.number().int().min(1).max(10_000).default(100).describe("A cohort starts its run at once when it reaches this many calls.")),
});

export default defineNode({
  type: "trigger.webhook",
  version: 1,
  kind: "trigger",
  label: "When another system calls",
  description:
    "Start the flow when another system sends data to this flow's web address (shown once the flow is saved). Each record it sends becomes a row; a list gives one row per item.",
  inputs: {},
  outputs: { rows: "table" },
  config: webhookTriggerConfig,
  async run({ ctx }) {
    const rows = (await ctx.triggerData()) ?? (await ctx.datasets.create("SELECT CAST(NULL AS VARCHAR) AS webhook_id, CAST(NULL AS TIMESTAMP) AS received_at WHERE false"));
    return { outputs: { rows }, metrics: { rows: rows.rows, trigger: ctx.trigger.kind } };
  },
});
