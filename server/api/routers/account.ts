// The signed-in user's own account: who am I, password, signing out everywhere, and API keys.
import { z } from "zod";
import { access } from "../../../db/store";
import { BadRequest } from "../../../lib/errors";
import { ROLES } from "../../../lib/roles";
import { record } from "../../access";
import { authFor, MIN_PASSWORD } from "../../auth";
import { createApiKey, revokeApiKey } from "../../services/accounts";
import { createTRPCRouter, publicProcedure, viewerProcedure } from "../trpc";

export const keyView = (k: access.ApiKeyRow & { owner?: string }) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  role: k.role,
  owner: k.owner ?? null,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
});

export const accountRouter = createTRPCRouter({
  /** The caller, or null when no one is signed in (the pages use it to send visitors to sign in). */
  me: publicProcedure.query(({ ctx }) => (ctx.user ? { id: ctx.user.userId, name: ctx.user.name, email: ctx.user.email, role: ctx.user.role, via: ctx.user.via } : null)),

  changePassword: viewerProcedure
    .input(z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256), signOutOthers: z.boolean().default(true) }))
    .mutation(async ({ ctx, input }) => {
      if (ctx.user.via !== "session") throw new BadRequest("Change a password while signed in, not with an API key");
      if (input.newPassword.length < MIN_PASSWORD) throw new BadRequest(`The new password must be at least ${MIN_PASSWORD} characters`);
      try {
        // Signing out the other sessions replaces this one too: its new cookie goes back with the answer.
        const { headers } = await authFor(ctx.store).api.changePassword({
          headers: ctx.headers,
          body: { currentPassword: input.currentPassword, newPassword: input.newPassword, revokeOtherSessions: input.signOutOthers },
          returnHeaders: true,
        });
        for (const cookie of headers.getSetCookie()) ctx.resHeaders?.append("set-cookie", cookie);
      } catch (err) {
        await record(ctx.store, ctx.user, "user.password-change", { outcome: "failed", detail: { reason: (err as Error).message } });
        throw new BadRequest((err as Error).message === "Invalid password" ? "The current password is not right" : (err as Error).message);
      }
      await record(ctx.store, ctx.user, "user.password-change", { target: ctx.user.email });
      return { changed: true };
    }),

  /** Ends every session of the caller, this one included. */
  signOutEverywhere: viewerProcedure.mutation(async ({ ctx }) => {
    const sessions = await access.deleteSessions(ctx.store, ctx.user.userId);
    await record(ctx.store, ctx.user, "auth.sign-out-everywhere", { target: ctx.user.email, detail: { sessions } });
    return { sessions };
  }),

  keys: viewerProcedure.query(async ({ ctx }) => (await access.listKeys(ctx.store, ctx.user.userId)).map(keyView)),

  /** The key itself is in this answer only; it is stored as a hash. */
  createKey: viewerProcedure
    .input(z.object({ name: z.string().trim().min(1).max(100), role: z.enum(ROLES) }))
    .mutation(({ ctx, input }) => createApiKey(ctx.store, ctx.user, input)),

  revokeKey: viewerProcedure.input(z.object({ id: z.string().min(1).max(100) })).mutation(async ({ ctx, input }) => keyView(await revokeApiKey(ctx.store, ctx.user, input.id))),
});
