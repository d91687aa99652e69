// Users (better-auth writes them; the role is ours), invites and API keys. Tokens and keys are
// stored as SHA-256 hashes: they are 256-bit random values, so a fast hash is enough.
import { and, asc, count, desc, eq, gt, isNull } from "drizzle-orm";
import { NotFound, Precondition } from "../../lib/errors";
import type { Role } from "../../lib/roles";
import type { Store } from "./handle";

export type UserRow = Store["t"]["users"]["$inferSelect"];
export type InviteRow = Store["t"]["invites"]["$inferSelect"];
export type ApiKeyRow = Store["t"]["apiKeys"]["$inferSelect"];

export interface UserSummary {
  id: string;
  name: string;
  email: string;
  role: Role;
  createdAt: number;
}

const summary = (u: UserRow): UserSummary => ({ id: u.id, name: u.name, email: u.email, role: u.role, createdAt: new Date(u.createdAt).getTime() });

export function userCount(s: Store): Promise<number> {
  return s.use(async (q) => (await q.select({ n: count() }).from(s.t.users))[0]!.n);
}

export function listUsers(s: Store): Promise<UserSummary[]> {
  return s.use(async (q) => (await q.select().from(s.t.users).orderBy(asc(s.t.users.createdAt))).map(summary));
}

export function getUser(s: Store, id: string): Promise<UserSummary | null> {
  return s.use(async (q) => {
    const [u] = await q.select().from(s.t.users).where(eq(s.t.users.id, id));
    return u ? summary(u) : null;
  });
}

export function userByEmail(s: Store, email: string): Promise<UserSummary | null> {
  return s.use(async (q) => {
    const [u] = await q.select().from(s.t.users).where(eq(s.t.users.email, email.trim().toLowerCase()));
    return u ? summary(u) : null;
  });
}

/** Changing the role of the last admin to anything else is refused: someone must be able to administer. */
export function setRole(s: Store, id: string, role: Role): Promise<UserSummary> {
  return s.tx(
    async (q) => {
      const { users } = s.t;
      const [u] = await q.select().from(users).where(eq(users.id, id));
      if (!u) throw new NotFound(`No user "${id}"`);
      if (u.role === "admin" && role !== "admin") await refuseLastAdmin(q, s, `${u.email} is the only admin; make someone else admin first`);
      const [saved] = await q.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, id)).returning();
      return summary(saved!);
    },
    ["users"],
  );
}

/** Removes the user with their sessions, accounts and keys. The last admin cannot be removed. */
export function removeUser(s: Store, id: string): Promise<UserSummary> {
  return s.tx(
    async (q) => {
      const { users } = s.t;
      const [u] = await q.select().from(users).where(eq(users.id, id));
      if (!u) throw new NotFound(`No user "${id}"`);
      if (u.role === "admin") await refuseLastAdmin(q, s, `${u.email} is the only admin and cannot be removed`);
      await q.delete(users).where(eq(users.id, id));
      return summary(u);
    },
    ["users"],
  );
}

async function refuseLastAdmin(q: Parameters<Parameters<Store["tx"]>[0]>[0], s: Store, message: string): Promise<void> {
  const [{ n }] = (await q.select({ n: count() }).from(s.t.users).where(eq(s.t.users.role, "admin"))) as [{ n: number }];
  if (n <= 1) throw new Precondition(message);
}

/** Signs the user out everywhere. */
export function deleteSessions(s: Store, userId: string): Promise<number> {
  return s.use(async (q) => (await q.delete(s.t.sessions).where(eq(s.t.sessions.userId, userId)).returning({ id: s.t.sessions.id })).length);
}

// ---- invites ----

export function createInvite(s: Store, row: Omit<InviteRow, "createdAt" | "usedAt" | "usedBy" | "revokedAt">): Promise<InviteRow> {
  return s.use(async (q) => (await q.insert(s.t.invites).values({ ...row, createdAt: Date.now() }).returning())[0]!);
}

export function inviteByHash(s: Store, tokenHash: string): Promise<InviteRow | null> {
  return s.use(async (q) => (await q.select().from(s.t.invites).where(eq(s.t.invites.tokenHash, tokenHash)))[0] ?? null);
}

/** Marks the invite used, if it still can be: false when it was used, revoked or expired meanwhile. */
export function claimInvite(s: Store, id: string, userId: string, at = Date.now()): Promise<boolean> {
  return s.use(async (q) => {
    const { invites } = s.t;
    const done = await q
      .update(invites)
      .set({ usedAt: at, usedBy: userId })
      .where(and(eq(invites.id, id), isNull(invites.usedAt), isNull(invites.revokedAt), gt(invites.expiresAt, at)))
      .returning({ id: invites.id });
    return done.length === 1;
  });
}

/** Open invites (not used, not revoked, not expired), newest first. */
export function openInvites(s: Store, at = Date.now()): Promise<InviteRow[]> {
  return s.use(async (q) => {
    const { invites } = s.t;
    return q
      .select()
      .from(invites)
      .where(and(isNull(invites.usedAt), isNull(invites.revokedAt), gt(invites.expiresAt, at)))
      .orderBy(desc(invites.createdAt));
  });
}

export function revokeInvite(s: Store, id: string): Promise<InviteRow> {
  return s.use(async (q) => {
    const [row] = await q.update(s.t.invites).set({ revokedAt: Date.now() }).where(eq(s.t.invites.id, id)).returning();
    if (!row) throw new NotFound(`No invite "${id}"`);
    return row;
  });
}

// ---- API keys ----

export function createKey(s: Store, row: Omit<ApiKeyRow, "createdAt" | "lastUsedAt" | "revokedAt">): Promise<ApiKeyRow> {
  return s.use(async (q) => (await q.insert(s.t.apiKeys).values({ ...row, createdAt: Date.now() }).returning())[0]!);
}

/** The key and its owner, whatever its state (the caller says why a revoked key is refused). */
export function keyByHash(s: Store, keyHash: string): Promise<{ key: ApiKeyRow; user: UserSummary } | null> {
  return s.use(async (q) => {
    const { apiKeys, users } = s.t;
    const [row] = await q.select().from(apiKeys).innerJoin(users, eq(users.id, apiKeys.userId)).where(eq(apiKeys.keyHash, keyHash));
    return row ? { key: row.api_keys, user: summary(row.users) } : null;
  });
}

export function touchKey(s: Store, id: string, at = Date.now()): Promise<void> {
  return s.use(async (q) => {
    await q.update(s.t.apiKeys).set({ lastUsedAt: at }).where(eq(s.t.apiKeys.id, id));
  });
}

/** Keys of one user, or every key when `userId` is undefined; revoked keys included, newest first. */
export function listKeys(s: Store, userId?: string): Promise<(ApiKeyRow & { owner: string })[]> {
  return s.use(async (q) => {
    const { apiKeys, users } = s.t;
    const rows = await q
      .select()
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(userId ? eq(apiKeys.userId, userId) : undefined)
      .orderBy(desc(apiKeys.createdAt));
    return rows.map((r) => ({ ...r.api_keys, owner: r.users.email }));
  });
}

export function getKey(s: Store, id: string): Promise<ApiKeyRow> {
  return s.use(async (q) => {
    const [row] = await q.select().from(s.t.apiKeys).where(eq(s.t.apiKeys.id, id));
    if (!row) throw new NotFound(`No API key "${id}"`);
    return row;
  });
}

export function revokeKey(s: Store, id: string, at = Date.now()): Promise<ApiKeyRow> {
  return s.use(async (q) => {
    const [row] = await q.update(s.t.apiKeys).set({ revokedAt: at }).where(and(eq(s.t.apiKeys.id, id), isNull(s.t.apiKeys.revokedAt))).returning();
    if (!row) throw new NotFound(`No active API key "${id}"`);
    return row;
  });
}
