// Accounts outside the sign-in form: the owner's, from the one-time setup link; others', from an
// invite link; any, from `loopwright admin create` on the machine itself. And API keys.
import { randomBytes, randomUUID } from "node:crypto";
import { access, settings, type Store } from "../../db/store";
import { BadRequest, Forbidden, NotFound, Precondition } from "../../lib/errors";
import { aRole, atLeast, type Role } from "../../lib/roles";
import { API_KEY_PREFIX, record, sha256, type Principal } from "../access";
import { authFor, MIN_PASSWORD } from "../auth";

const SETUP_KEY = "setup-token";
const SETUP_TTL_MS = 24 * 3600_000;
export const INVITE_DAYS = 7;

const token = (bytes = 32) => randomBytes(bytes).toString("base64url");

export interface NewAccount {
  name: string;
  email: string;
  password: string;
}

function checkAccount(a: NewAccount): NewAccount {
  const email = a.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new BadRequest(`"${a.email}" is not an e-mail address`);
  if (!a.name.trim()) throw new BadRequest("Give a name (it is shown in the audit log and user list)");
  if (a.password.length < MIN_PASSWORD) throw new BadRequest(`The password must be at least ${MIN_PASSWORD} characters`);
  if (a.password.length > 256) throw new BadRequest("The password must be at most 256 characters");
  return { name: a.name.trim(), email, password: a.password };
}

/** Creates a user with a password (hashed by better-auth's KDF, scrypt) and a role. */
export async function createAccount(store: Store, input: NewAccount & { role: Role }) {
  const a = checkAccount(input);
  if (await access.userByEmail(store, a.email)) throw new BadRequest(`${a.email} already has an account`);
  const ctx = await authFor(store).$context;
  const user = await ctx.internalAdapter.createUser({ name: a.name, email: a.email, emailVerified: false, role: input.role }, { method: "admin" });
  await ctx.internalAdapter.linkAccount({ userId: user.id, providerId: "credential", accountId: user.id, password: await ctx.password.hash(a.password) });
  return (await access.getUser(store, user.id))!;
}

// ---- first run ----

/**
 * When no account exists: a new one-time link to create the owner (admin) account, replacing any
 * earlier one; null once someone has an account. `npm start` prints it.
 */
export async function newSetupLink(store: Store, baseUrl: string): Promise<string | null> {
  if ((await access.userCount(store)) > 0) return null;
  const t = token();
  await settings.set(store, SETUP_KEY, { hash: sha256(t), expiresAt: Date.now() + SETUP_TTL_MS });
  return `${baseUrl.replace(/\/$/, "")}/setup?token=${t}`;
}

export async function setupState(store: Store, t: string): Promise<"valid" | "done" | "invalid" | "expired"> {
  if ((await access.userCount(store)) > 0) return "done";
  const saved = await settings.get<{ hash: string; expiresAt: number }>(store, SETUP_KEY);
  if (!saved || saved.hash !== sha256(t)) return "invalid";
  return saved.expiresAt < Date.now() ? "expired" : "valid";
}

const SETUP_REFUSED = {
  done: "Setup is already done: sign in, or ask an admin for an invite",
  invalid: "This setup link is not valid (a newer one replaces it each time Loopwright starts); use the link `npm start` printed last",
  expired: "This setup link has expired; restart Loopwright for a new one",
} as const;

export async function completeSetup(store: Store, t: string, input: NewAccount) {
  const state = await setupState(store, t);
  if (state !== "valid") throw new Precondition(SETUP_REFUSED[state]);
  const user = await createAccount(store, { ...input, role: "admin" });
  await settings.remove(store, SETUP_KEY);
  await record(store, null, "user.create", { target: user.email, detail: { role: "admin", via: "setup link" } });
  return user;
}

// ---- invites ----

export async function createInvite(store: Store, by: Principal, input: { email?: string | null; role: Role; days?: number }) {
  const t = token();
  const email = input.email?.trim().toLowerCase() || null;
  if (email && (await access.userByEmail(store, email))) throw new BadRequest(`${email} already has an account`);
  const invite = await access.createInvite(store, {
    id: randomUUID(),
    tokenHash: sha256(t),
    email,
    role: input.role,
    createdBy: by.userId,
    expiresAt: Date.now() + (input.days ?? INVITE_DAYS) * 24 * 3600_000,
  });
  await record(store, by, "invite.create", { target: email ?? "(anyone with the link)", detail: { role: input.role, expiresAt: invite.expiresAt } });
  return { id: invite.id, token: t, role: invite.role, email, expiresAt: invite.expiresAt };
}

async function openInvite(store: Store, t: string) {
  const invite = await access.inviteByHash(store, sha256(t));
  if (!invite) throw new NotFound("This invite link is not valid; ask an admin for a new one");
  if (invite.usedAt) throw new Precondition("This invite was already used; sign in, or ask an admin for a new one");
  if (invite.revokedAt) throw new Precondition("This invite was withdrawn by an admin; ask them for a new one");
  if (invite.expiresAt < Date.now()) throw new Precondition("This invite has expired; ask an admin for a new one");
  return invite;
}

export async function inviteInfo(store: Store, t: string) {
  const invite = await openInvite(store, t);
  return { email: invite.email, role: invite.role, expiresAt: invite.expiresAt };
}

export async function acceptInvite(store: Store, t: string, input: NewAccount) {
  const invite = await openInvite(store, t);
  if (invite.email && invite.email !== input.email.trim().toLowerCase()) throw new BadRequest(`This invite is for ${invite.email}`);
  const user = await createAccount(store, { ...input, role: invite.role });
  if (!(await access.claimInvite(store, invite.id, user.id))) {
    await access.removeUser(store, user.id).catch(() => undefined);
    throw new Precondition("This invite was used or withdrawn a moment ago; ask an admin for a new one");
  }
  await record(store, null, "user.create", { target: user.email, detail: { role: user.role, via: "invite", invite: invite.id } });
  return user;
}

// ---- API keys ----

export async function createApiKey(store: Store, by: Principal, input: { name: string; role: Role }) {
  if (!atLeast(by.role, input.role)) throw new Forbidden(`${by.email} is ${aRole(by.role)} and cannot create a key with the ${input.role} role`);
  const name = input.name.trim();
  if (!name) throw new BadRequest("Give the key a name that says where it is used (e.g. \"nightly CI\")");
  const key = `${API_KEY_PREFIX}${token()}`;
  const row = await access.createKey(store, { id: randomUUID(), name, prefix: key.slice(0, 10), keyHash: sha256(key), role: input.role, userId: by.userId });
  await record(store, by, "api-key.create", { target: `${name} (${row.prefix}...)`, detail: { role: row.role, key: row.id } });
  return { id: row.id, name: row.name, role: row.role, prefix: row.prefix, key };
}

/** Own keys; an admin may revoke anyone's. */
export async function revokeApiKey(store: Store, by: Principal, id: string) {
  const key = await access.getKey(store, id);
  if (key.userId !== by.userId && by.role !== "admin") throw new NotFound(`No API key "${id}"`);
  const row = await access.revokeKey(store, id);
  await record(store, by, "api-key.revoke", { target: `${row.name} (${row.prefix}...)`, detail: { key: row.id } });
  return row;
}
