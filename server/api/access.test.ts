// The role matrix: every tRPC procedure and every HTTP route with the lowest role that may use it,
// tried as anonymous, viewer, editor and admin. A procedure or route added without an entry here
// fails this test, so nothing reaches the network without someone deciding who may call it.
// (Routes are tried over HTTP against the running app in tests/access-routes.test.ts.)
import { TRPCError } from "@trpc/server";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore, type Store } from "../../db/store";
import { projectRoot } from "../../lib/paths";
import { ROLES, type Role } from "../../lib/roles";
import { appRouter, createCaller } from "./root";
import { asRole, noTemporal } from "./routers/test-support";
import { createTRPCContext, type Access } from "./trpc";

/** Every procedure and who may call it. */
export const PROCEDURES: Record<string, Access> = {
  "health.status": "viewer",
  "catalog.list": "viewer",
  "flow.list": "viewer",
  "flow.get": "viewer",
  "flow.validate": "viewer",
  "flow.create": "editor",
  "flow.rename": "editor",
  "flow.duplicate": "editor",
  "flow.delete": "editor",
  "flow.save": "editor",
  "run.list": "viewer",
  "run.get": "viewer",
  "run.preview": "editor",
  "run.start": "editor",
  "run.cancel": "editor",
  "dataset.files": "viewer",
  "dataset.list": "viewer",
  "dataset.preview": "editor",
  "model.list": "viewer",
  "model.promote": "editor",
  "model.archive": "editor",
  "setup.state": "public",
  "setup.complete": "public",
  "setup.invite": "public",
  "setup.acceptInvite": "public",
  "account.me": "public",
  "account.changePassword": "viewer",
  "account.signOutEverywhere": "viewer",
  "account.keys": "viewer",
  "account.createKey": "viewer",
  "account.revokeKey": "viewer",
  "users.list": "admin",
  "users.setRole": "admin",
  "users.remove": "admin",
  "users.invites": "admin",
  "users.invite": "admin",
  "users.revokeInvite": "admin",
  "users.keys": "admin",
  "users.revokeKey": "admin",
  "audit.list": "admin",
  "connection.kinds": "viewer",
  "connection.list": "editor",
  "connection.adminList": "admin",
  "connection.create": "admin",
  "connection.update": "admin",
  "connection.remove": "admin",
  "connection.test": "admin",
};

/** Every route handler (app/**\/route.ts, by URL) and who may call each method. */
export const ROUTES: Record<string, Record<string, Access | "per procedure">> = {
  "/api/trpc/[trpc]": { GET: "per procedure", POST: "per procedure" },
  "/api/auth/[...all]": { GET: "public", POST: "public" },
  "/api/uploads": { GET: "editor", POST: "editor" },
  "/api/audit.csv": { GET: "admin" },
};

const RANK: Record<Access, number> = { public: 0, viewer: 1, editor: 2, admin: 3 };

function routeFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full, `${prefix}/${name}`);
    return name === "route.ts" ? [prefix] : [];
  });
}

let dir: string;
let store: Store;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-access-"));
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the role matrix", () => {
  it("has an entry for every procedure, and each procedure declares the access the matrix gives it", () => {
    const procedures = appRouter._def.procedures as Record<string, { _def: { meta?: { access?: Access } } }>;
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(PROCEDURES).sort());
    for (const [name, proc] of Object.entries(procedures)) expect(proc._def.meta?.access, name).toBe(PROCEDURES[name]);
  });

  it("has an entry for every route handler", () => {
    expect(routeFiles(path.join(projectRoot, "app")).map((r) => `/${r.replace(/^\//, "")}`).sort()).toEqual(Object.keys(ROUTES).sort());
  });

  const callers: (Role | "anonymous")[] = ["anonymous", ...ROLES];
  for (const [name, needed] of Object.entries(PROCEDURES)) {
    it(`${name}: ${needed === "public" ? "open to anyone" : `${needed} and above`}`, async () => {
      for (const who of callers) {
        const ctx = await createTRPCContext({ store, temporal: noTemporal, principal: who === "anonymous" ? null : asRole(who) });
        const [router, proc] = name.split(".") as [string, string];
        const call = (createCaller(ctx) as unknown as Record<string, Record<string, (input?: unknown) => Promise<unknown>>>)[router]![proc]!;
        const outcome = await call(undefined).then(
          () => "ok",
          (err: unknown) => (err instanceof TRPCError ? err.code : `threw ${String(err)}`),
        );
        const allowed = RANK[who === "anonymous" ? "public" : who] >= RANK[needed];
        if (allowed) expect(["UNAUTHORIZED", "FORBIDDEN"], `${who} calling ${name} got ${outcome}`).not.toContain(outcome);
        else expect(outcome, `${who} calling ${name}`).toBe(who === "anonymous" ? "UNAUTHORIZED" : "FORBIDDEN");
      }
    });
  }
});
