// Open to anyone: the first-run setup link and invite links (each checks its own one-time token).
import { z } from "zod";
import { acceptInvite, completeSetup, inviteInfo, setupState } from "../../services/accounts";
import { createTRPCRouter, publicProcedure } from "../trpc";

const tokenSchema = z.string().min(16).max(200);
const account = z.object({ name: z.string().trim().min(1).max(200), email: z.string().trim().min(3).max(320), password: z.string().min(1).max(256) });

export const setupRouter = createTRPCRouter({
  /** Whether the setup link is still good ("valid"), or why not. */
  state: publicProcedure.input(z.object({ token: tokenSchema })).query(async ({ ctx, input }) => ({ state: await setupState(ctx.store, input.token) })),

  /** Creates the owner (admin) account; the page then signs in with it. */
  complete: publicProcedure.input(account.extend({ token: tokenSchema })).mutation(async ({ ctx, input }) => {
    const user = await completeSetup(ctx.store, input.token, input);
    return { email: user.email, role: user.role };
  }),

  /** Who an invite is for and with which role; a clear error when it is used, withdrawn or expired. */
  invite: publicProcedure.input(z.object({ token: tokenSchema })).query(({ ctx, input }) => inviteInfo(ctx.store, input.token)),

  acceptInvite: publicProcedure.input(account.extend({ token: tokenSchema })).mutation(async ({ ctx, input }) => {
    const user = await acceptInvite(ctx.store, input.token, input);
    return { email: user.email, role: user.role };
  }),
});
