import { z } from "zod";
import { defineNode } from "../sdk";

export default defineNode({
  type: "source.ledger",
  version: 1,
  kind: "source",
  label: "Decision ledger",
  description:
    "What your flows did to whom, and why: one row per action towards a customer (e-mail, webhook, sync), with its status (sent, held back, failed) and the reason, the model and score behind it, and the experiment arm. Newest first.",
  inputs: {},
  outputs: { rows: "table" },
  config: z.object({
    flowId: z.string().trim().max(64).optional().describe("Only this flow's actions (its id, as in the address bar). Empty: every flow."),
    channel: z.enum(["email", "webhook", "sync"]).optional().describe("Only this channel. Empty: every channel."),
    days: z.number().int().min(1).max(3650).optional().describe("Only the last this many days. Empty: all."),
  }),
  async run({ config, ctx }) {
    const rows = await ctx.ledger.dataset({
      flowId: config.flowId || undefined,
      channel: config.channel,
      since: config.days ? Date.now() - config.days * 86_400_000 : undefined,
    });
    return { outputs: { rows }, metrics: { rows: rows.rows } };
  },
});
