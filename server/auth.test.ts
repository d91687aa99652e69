// Accounts on both store backends (SQLite and a real PostgreSQL): password sign-in with an
// HttpOnly cookie, password change, sign out everywhere, API keys (hashed, revocable, never above
// their owner's role), invites that expire, and an audit log the database keeps append-only.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { access, openStore, type Store } from "../db/store";
import { startPostgres, type PostgresTestServer } from "../lib/postgres-test-server";
import { authenticate, sha256, type Principal } from "./access";
import { authFor } from "./auth";
import { createCaller } from "./api/root";
import { noTemporal } from "./api/routers/test-support";
import { createTRPCContext } from "./api/trpc";
import { createAccount, createApiKey, createInvite, inviteInfo } from "./services/accounts";

let tmp: string;
let pg: PostgresTestServer | undefined;
const backends: Record<string, Store> = {};

beforeAll(async () => {
  process.env.LOOPWRIGHT_AUTH_SECRET ??= randomBytes(32).toString("base64");
  tmp = mkdtempSync(path.join(os.tmpdir(), "loopwright-auth-"));
  backends.sqlite = await openStore({ sqliteFile: path.join(tmp, "loopwright.sqlite") });
  pg = await startPostgres();
  backends.postgres = await openStore({ url: pg.url });
}, 120_000);

afterAll(async () => {
  for (const s of Object.values(backends)) await s.close();
  await pg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const BASE = "http://localhost:3000";

describe.each(["sqlite", "postgres"])("accounts on %s", (backend) => {
  const store = () => backends[backend]!;
  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    authFor(store()).handler(new Request(`${BASE}/api/auth${p}`, { method: "POST", headers: { "content-type": "application/json", origin: BASE, host: "localhost:3000", ...headers }, body: JSON.stringify(body) }));
  const signIn = async (email: string, password: string) => {
    const res = await post("/sign-in/email", { email, password });
    return { status: res.status, cookie: res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") };
  };

  it("signs in with the password (hashed, not stored as given), changes it, and signs out everywhere", async () => {
    const user = await createAccount(store(), { name: "Pat", email: `pat-${backend}@example.com`, password: "first password 1", role: "editor" });
    const stored = await store().use((q) => q.select().from(store().t.accounts));
    expect(stored.find((a) => a.userId === user.id)!.password).toMatch(/^[0-9a-f]+:[0-9a-f]+$/); // scrypt salt:hash
    expect(JSON.stringify(stored)).not.toContain("first password 1");

    const a = await signIn(user.email, "first password 1");
    const b = await signIn(user.email, "first password 1");
    expect([a.status, b.status]).toEqual([200, 200]);
    const me = await authenticate(store(), new Headers({ cookie: a.cookie }));
    expect(me).toMatchObject({ email: user.email, role: "editor", via: "session" });

    const resHeaders = new Headers();
    const api = createCaller(await createTRPCContext({ store: store(), temporal: noTemporal, resHeaders, headers: new Headers({ cookie: a.cookie, origin: BASE, host: "localhost:3000" }) }));
    await expect(api.account.changePassword({ currentPassword: "not it at all", newPassword: "second password 2" })).rejects.toThrow(/current password is not right/);
    await api.account.changePassword({ currentPassword: "first password 1", newPassword: "second password 2", signOutOthers: true });
    expect((await signIn(user.email, "first password 1")).status).toBe(401);
    expect(await authenticate(store(), new Headers({ cookie: b.cookie }))).toBeNull(); // the other session ended
    // This browser stays signed in: the answer carries its new session cookie.
    const renewed = resHeaders.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    expect(renewed).toMatch(/loopwright\.session_token=/);
    expect(await authenticate(store(), new Headers({ cookie: renewed }))).toMatchObject({ email: user.email });
    const c = await signIn(user.email, "second password 2");
    expect(c.status).toBe(200);

    const api2 = createCaller(await createTRPCContext({ store: store(), temporal: noTemporal, headers: new Headers({ cookie: c.cookie }) }));
    expect((await api2.account.signOutEverywhere()).sessions).toBeGreaterThanOrEqual(1);
    expect(await authenticate(store(), new Headers({ cookie: c.cookie }))).toBeNull();
  });

  it("keeps API keys as hashes, caps them at the owner's role, and refuses revoked ones with a reason", async () => {
    const user = await createAccount(store(), { name: "Kim", email: `kim-${backend}@example.com`, password: "kim's password", role: "admin" });
    const kim: Principal = { userId: user.id, email: user.email, name: user.name, role: "admin", via: "session" };
    const { key, id } = await createApiKey(store(), kim, { name: "ci", role: "admin" });
    expect(key).toMatch(/^lw_/);
    const rows = await access.listKeys(store(), user.id);
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(rows[0]!.keyHash).toBe(sha256(key));

    const bearer = new Headers({ authorization: `Bearer ${key}` });
    expect(await authenticate(store(), bearer)).toMatchObject({ email: user.email, role: "admin", via: "key" });
    expect((await access.listKeys(store(), user.id))[0]!.lastUsedAt).toEqual(expect.any(Number));

    // Demoting the owner demotes the key; a viewer cannot mint an editor key.
    await createAccount(store(), { name: "Other admin", email: `other-${backend}@example.com`, password: "other password", role: "admin" });
    await access.setRole(store(), user.id, "viewer");
    expect((await authenticate(store(), bearer))!.role).toBe("viewer");
    await expect(createApiKey(store(), { ...kim, role: "viewer" }, { name: "more", role: "editor" })).rejects.toThrow(/is a viewer and cannot create a key with the editor role/);

    await access.revokeKey(store(), id);
    await expect(authenticate(store(), bearer)).rejects.toThrow(/API key "ci" \(lw_.{7}\.\.\.\) was revoked/);
    await expect(authenticate(store(), new Headers({ authorization: "Bearer lw_made_up" }))).rejects.toThrow(/not known here/);
  });

  it("refuses an expired invite and a second use of one, saying so", async () => {
    const admin: Principal = { userId: "u-admin", email: "admin@example.com", name: "A", role: "admin", via: "session" };
    // Made already expired (the router allows 1 to 30 days; the service takes the number as given).
    const expired = await createInvite(store(), admin, { role: "viewer", days: -1 });
    await expect(inviteInfo(store(), expired.token)).rejects.toThrow("This invite has expired; ask an admin for a new one");
    await expect(inviteInfo(store(), "not-a-real-invite-token")).rejects.toThrow(/not valid/);
  });

  it("keeps the audit log append-only in the database itself", async () => {
    await store().use((q) => q.insert(store().t.auditLog).values({ id: `a-${backend}`, actor: "test", action: "test.entry" }));
    // drizzle wraps the driver's error ("Failed query: ..."); the database's reason is the cause.
    const reason = (p: Promise<unknown>) => p.then(() => "changed", (e: Error & { cause?: Error }) => `${e.message} ${e.cause?.message ?? ""}`);
    expect(await reason(store().use((q) => q.update(store().t.auditLog).set({ actor: "forged" })))).toMatch(/append-only/);
    expect(await reason(store().use((q) => q.delete(store().t.auditLog)))).toMatch(/append-only/);
  });
});
