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
import { PROCEDURES, ROUTES } from "./access-matrix";
import { createTRPCContext, type Access } from "./trpc";

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
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: { access?: Access } } }>;
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
