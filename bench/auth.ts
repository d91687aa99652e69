// What the role check costs: a tRPC call (flow.list, in-process through createCaller) with the
// caller already known (the baseline), with a session cookie (better-auth looks the session up),
// and with an API key (a SHA-256 and one indexed lookup), on SQLite in the same run; and one
// password sign-in (scrypt), which is slow on purpose.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openSqliteStore } from "../db/store";
import { loadRegistry } from "../nodes/registry";
import type { Principal } from "../server/access";
import { createCaller } from "../server/api/root";
import { createTRPCContext } from "../server/api/trpc";
import type { TemporalAccess } from "../server/temporal-client";
import { authFor } from "../server/auth";
import { createAccount, createApiKey } from "../server/services/accounts";
import { fmt } from "./stats";

const CALLS = 2_000;
const noTemporal = {} as TemporalAccess;

export async function authBench(): Promise<void> {
  process.env.LOOPWRIGHT_AUTH_SECRET ??= randomBytes(32).toString("base64");
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-auth-"));
  const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  try {
    const registry = await loadRegistry();
    const user = await createAccount(store, { name: "Bench", email: "bench@example.com", password: "bench password 1", role: "editor" });
    const principal: Principal = { userId: user.id, email: user.email, name: user.name, role: "editor", via: "session" };
    const { key } = await createApiKey(store, principal, { name: "bench", role: "editor" });
    const t0 = performance.now();
    const res = await authFor(store).handler(
      new Request("http://localhost:3000/api/auth/sign-in/email", { method: "POST", headers: { "content-type": "application/json", origin: "http://localhost:3000", host: "localhost:3000" }, body: JSON.stringify({ email: user.email, password: "bench password 1" }) }),
    );
    const signInMs = performance.now() - t0;
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
    const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");

    const perSecond = async (ctx: () => Promise<Parameters<typeof createCaller>[0]>) => {
      for (let i = 0; i < 50; i++) await createCaller(await ctx()).flow.list(); // warm-up
      const start = performance.now();
      for (let i = 0; i < CALLS; i++) await createCaller(await ctx()).flow.list();
      return CALLS / ((performance.now() - start) / 1000);
    };
    const known = await perSecond(() => createTRPCContext({ store, registry, temporal: noTemporal, principal }));
    const session = await perSecond(() => createTRPCContext({ store, registry, temporal: noTemporal, headers: new Headers({ cookie }) }));
    const apiKey = await perSecond(() => createTRPCContext({ store, registry, temporal: noTemporal, headers: new Headers({ authorization: `Bearer ${key}` }) }));
    console.log(`\nAuth: flow.list through createCaller on SQLite, ${CALLS} calls each`);
    console.log(`  caller known (baseline)  ${fmt(known, 0).padStart(8)} calls/s`);
    console.log(`  session cookie           ${fmt(session, 0).padStart(8)} calls/s  (${fmt(session / known, 2)} of baseline)`);
    console.log(`  API key                  ${fmt(apiKey, 0).padStart(8)} calls/s  (${fmt(apiKey / known, 2)} of baseline)`);
    console.log(`  one password sign-in (scrypt)  ${fmt(signInMs, 0)} ms`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
