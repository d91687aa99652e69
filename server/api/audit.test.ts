// The audit log records who did what: sign-ins (failed ones too), accounts and roles, invites, API
// keys, flow saves and deletes, model promotions; the database refuses to change or delete an entry.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { audit, openSqliteStore, type Store } from "../../db/store";
import { authFor } from "../auth";
import { createAccount } from "../services/accounts";
import { createCaller } from "./root";
import { noTemporal } from "./routers/test-support";
import { createTRPCContext } from "./trpc";
import { authenticate, type Principal } from "../access";

let dir: string;
let store: Store;
let admin: Principal;
const password = "correct horse battery";

const signIn = (email: string, pw: string) =>
  authFor(store).handler(
    new Request("http://localhost:3000/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:3000", host: "localhost:3000" },
      body: JSON.stringify({ email, password: pw }),
    }),
  );

const caller = async (p: Principal | null) => createCaller(await createTRPCContext({ store, temporal: noTemporal, principal: p }));

beforeAll(async () => {
  process.env.LOOPWRIGHT_AUTH_SECRET ??= randomBytes(32).toString("base64");
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-audit-"));
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  const user = await createAccount(store, { name: "Ada Admin", email: "Ada@Example.com", password, role: "admin" });
  admin = { userId: user.id, email: user.email, name: user.name, role: "admin", via: "session" };
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the audit log", () => {
  it("records a sign-in and a failed sign-in, with the address tried and no password", async () => {
    expect((await signIn("ada@example.com", "wrong password!")).status).toBe(401);
    const ok = await signIn("ada@example.com", password);
    expect(ok.status).toBe(200);
    const cookie = ok.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    expect(cookie).toMatch(/^loopwright\.session_token=/);
    expect(ok.headers.getSetCookie()[0]).toMatch(/HttpOnly/i);
    expect(ok.headers.getSetCookie()[0]).toMatch(/SameSite=Lax/i);
    expect((await authenticate(store, new Headers({ cookie })))?.email).toBe("ada@example.com");

    const rows = await audit.list(store, { action: "auth.sign-in" });
    expect(rows.map((r) => [r.actor, r.outcome])).toEqual([
      ["ada@example.com", "ok"],
      ["ada@example.com", "failed"],
    ]);
    expect(JSON.stringify(rows)).not.toContain("wrong password!");
    expect(JSON.stringify(rows)).not.toContain(password);
  });

  it("refuses sign-in after five failures for one address, and says when to try again", async () => {
    for (let i = 0; i < 5; i++) expect((await signIn("nobody@example.com", `guess number ${i}`)).status).toBe(401);
    const refused = await signIn("nobody@example.com", "guess number 6");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refused.json()).message).toMatch(/Too many failed sign-ins for nobody@example.com/);
    expect((await audit.list(store, { action: "auth.sign-in", outcome: "refused" })).map((r) => r.actor)).toEqual(["nobody@example.com"]);
  });

  it("records invites, new users, role changes, API keys and flow saves, naming who did it", async () => {
    const asAdmin = await caller(admin);
    const invite = await asAdmin.users.invite({ role: "viewer", email: "vic@example.com" });
    const anon = await caller(null);
    await anon.setup.acceptInvite({ token: invite.token, name: "Vic", email: "vic@example.com", password: "a long enough password" });
    const vic = (await asAdmin.users.list()).find((u) => u.email === "vic@example.com")!;
    expect(vic.role).toBe("viewer");
    await asAdmin.users.setRole({ userId: vic.id, role: "editor" });
    const key = await asAdmin.account.createKey({ name: "deploy script", role: "editor" });
    await asAdmin.account.revokeKey({ id: key.id });
    const flow = await asAdmin.flow.create({ name: "Audit me" });
    await asAdmin.flow.delete({ flowId: flow.flowId });

    const rows = (await audit.list(store)).reverse();
    const seen = rows.filter((r) => !r.action.startsWith("auth.")).map((r) => `${r.actor} ${r.action} ${r.target}`);
    expect(seen).toEqual([
      "ada@example.com invite.create vic@example.com",
      "system user.create vic@example.com",
      "ada@example.com user.role-change vic@example.com",
      "ada@example.com api-key.create deploy script (" + key.prefix + "...)",
      "ada@example.com api-key.revoke deploy script (" + key.prefix + "...)",
      "ada@example.com flow.create " + flow.flowId,
      "ada@example.com flow.delete " + flow.flowId,
    ]);
    expect(rows.find((r) => r.action === "user.role-change")!.detail).toEqual({ from: "viewer", to: "editor" });
    expect(JSON.stringify(rows)).not.toContain(key.key);
    expect(JSON.stringify(rows)).not.toContain(invite.token);
  });

  it("is append-only: the database refuses to change or delete an entry", () => {
    const raw = new Database(path.join(dir, "loopwright.sqlite"));
    try {
      expect(() => raw.prepare("UPDATE audit_log SET actor = 'someone else'").run()).toThrow(/append-only/);
      expect(() => raw.prepare("DELETE FROM audit_log").run()).toThrow(/append-only/);
    } finally {
      raw.close();
    }
  });
});
