// A flow's webhook (its trigger "When another system calls"): the URL senders POST to, how they
// prove who they are, and a new secret or token, shown once. Never the secret itself afterwards.
import { z } from "zod";
import { getWebhook, rotateWebhook } from "../../services/webhooks";
import { createTRPCRouter, editorProcedure } from "../trpc";
import { flowIdSchema } from "./flow";

const byFlow = z.object({ flowId: flowIdSchema });

export const webhookRouter = createTRPCRouter({
  /** The URL, the auth mode and whether a secret or token exists (and since when). */
  get: editorProcedure.input(byFlow).query(({ ctx, input }) => getWebhook(ctx.store, input.flowId)),

  /** A new secret (signature mode) or token (token mode), replacing the old one; `secret` is in this answer only. */
  rotate: editorProcedure.input(byFlow).mutation(({ ctx, input }) => rotateWebhook(ctx.store, ctx.user, input.flowId)),
});
