// Admins manage people: the user list, roles, invites, everyone's API keys.
import { z } from "zod";
import { access } from "../../../db/store";
import { BadRequest } from "../../../lib/errors";
import { ROLES } from "../../../lib/roles";
import { record } from "../../access";
import { createInvite, revokeApiKey } from "../../services/accounts";
import { createTRPCRouter, adminProcedure } from "../trpc";
import { keyView } from "./account";

const idSchema = z.string().min(1).max(100);

export const usersRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => access.listUsers(ctx.store)),

  setRole: adminProcedure.input(z.object({ userId: idSchema, role: z.enum(ROLES) })).mutation(async ({ ctx, input }) => {
    const before = await access.getUser(ctx.store, input.userId);
    const user = await access.setRole(ctx.store, input.userId, input.role);
    await record(ctx.store, ctx.user, "user.role-change", { target: user.email, detail: { from: before?.role ?? null, to: user.role } });
    return user;
  }),

  remove: adminProcedure.input(z.object({ userId: idSchema })).mutation(async ({ ctx, input }) => {
    if (input.userId === ctx.user.userId) throw new BadRequest("You cannot remove your own account; ask another admin");
    const user = await access.removeUser(ctx.store, input.userId);
    await record(ctx.store, ctx.user, "user.remove", { target: user.email, detail: { role: user.role } });
    return user;
  }),

  invites: adminProcedure.query(async ({ ctx }) =>
    (await access.openInvites(ctx.store)).map((i) => ({ id: i.id, email: i.email, role: i.role, createdAt: i.createdAt, expiresAt: i.expiresAt })),
  ),

  /** The invite link's token is in this answer only. */
  invite: adminProcedure
    .input(z.object({ email: z.string().trim().max(320).optional().nullable(), role: z.enum(ROLES), days: z.number().int().min(1).max(30).default(7) }))
    .mutation(({ ctx, input }) => createInvite(ctx.store, ctx.user, input)),

  revokeInvite: adminProcedure.input(z.object({ id: idSchema })).mutation(async ({ ctx, input }) => {
    const invite = await access.revokeInvite(ctx.store, input.id);
    await record(ctx.store, ctx.user, "invite.revoke", { target: invite.email ?? "(anyone with the link)", detail: { invite: invite.id } });
    return { id: invite.id };
  }),

  keys: adminProcedure.query(async ({ ctx }) => (await access.listKeys(ctx.store)).map(keyView)),

  revokeKey: adminProcedure.input(z.object({ id: idSchema })).mutation(async ({ ctx, input }) => keyView(await revokeApiKey(ctx.store, ctx.user, input.id))),
});
