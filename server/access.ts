// Who is asking: a signed-in user (session cookie) or an API key (Authorization: Bearer lw_...).
// Every tRPC procedure and every route asks here, then checks the role with `require` (one place).
import { createHash } from "node:crypto";
import { access, audit, type Store } from "../db/store";
import { Forbidden, Unauthorized } from "../lib/errors";
import { aRole, atLeast, type Role } from "../lib/roles";
import { authFor } from "./auth";

export interface Principal {
  userId: string;
  email: string;
  name: string;
  role: Role;
  via: "session" | "key";
  keyId?: string;
}

export const API_KEY_PREFIX = "lw_";

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** How the audit log names who did it. */
export function actorLabel(p: Principal | null): string {
  if (!p) return "anonymous";
  return p.via === "key" ? `${p.email} (API key ${p.keyId})` : p.email;
}

const KEY_TOUCH_MS = 60_000;

async function fromKey(store: Store, key: string): Promise<Principal> {
  const found = key.startsWith(API_KEY_PREFIX) ? await access.keyByHash(store, sha256(key)) : null;
  if (!found) throw new Unauthorized("This API key is not known here. Create one under Account > API keys, or with `loopwright keys create`.");
  if (found.key.revokedAt) throw new Unauthorized(`The API key "${found.key.name}" (${found.key.prefix}...) was revoked; create a new one under Account > API keys`);
  const now = Date.now();
  if (!found.key.lastUsedAt || now - found.key.lastUsedAt > KEY_TOUCH_MS) await access.touchKey(store, found.key.id, now);
  // A key never does more than its owner may do now: demoting the owner demotes their keys.
  const role = atLeast(found.user.role, found.key.role) ? found.key.role : found.user.role;
  return { userId: found.user.id, email: found.user.email, name: found.user.name, role, via: "key", keyId: found.key.id };
}

/** The caller, or null when anonymous. A bad or revoked key is an error (it says why), not anonymity. */
export async function authenticate(store: Store, headers: Headers): Promise<Principal | null> {
  const authorization = headers.get("authorization");
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) return fromKey(store, bearer);
  if (!headers.get("cookie")) return null;
  const session = await authFor(store).api.getSession({ headers });
  if (!session) return null;
  const user = session.user as typeof session.user & { role?: Role };
  return { userId: user.id, email: user.email, name: user.name, role: user.role ?? "viewer", via: "session" };
}

/** The one role check: Unauthorized when no one is signed in, Forbidden when the role is too low. */
export function requireRole(p: Principal | null, needed: Role, what: string): Principal {
  if (!p) throw new Unauthorized(`Sign in to ${what}`);
  if (!atLeast(p.role, needed)) throw new Forbidden(`${p.email} is ${aRole(p.role)}; ${what} needs the ${needed} role or higher`);
  return p;
}

/** Writes one audit entry on behalf of `p` (or the system when null). */
export function record(
  store: Store,
  p: Principal | null,
  action: string,
  opts: { target?: string | null; detail?: Record<string, unknown> | null; outcome?: string; ip?: string | null } = {},
) {
  return audit.append(store, { actorId: p?.userId ?? null, actor: p ? actorLabel(p) : "system", action, ...opts });
}
