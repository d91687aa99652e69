// Benchmarks drive the app as a signed-in admin: an account made directly in the bench's data
// directory, and a session cookie from the app's own sign-in endpoint.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { access, openSqliteStore } from "../db/store";
import { createAccount } from "../server/services/accounts";

export interface BenchAccount {
  email: string;
  password: string;
}

export async function benchAdmin(dataDir: string): Promise<BenchAccount> {
  // Password hashes do not depend on the auth secret; a fixed one keeps this process from making a
  // key file in its own (non-bench) data directory.
  process.env.LOOPWRIGHT_AUTH_SECRET ??= randomBytes(32).toString("base64");
  const account = { email: "bench@loopwright.test", password: "bench password 1" };
  const store = openSqliteStore(path.join(dataDir, "loopwright.sqlite"));
  try {
    if (!(await access.userByEmail(store, account.email))) await createAccount(store, { ...account, name: "Bench", role: "admin" });
  } finally {
    await store.close();
  }
  return account;
}

/** `name=value` of the session cookie the app sets when `account` signs in. */
export async function signInCookie(webUrl: string, account: BenchAccount): Promise<string> {
  const res = await fetch(`${webUrl}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json", origin: webUrl }, body: JSON.stringify(account) });
  if (res.status !== 200) throw new Error(`signing in to ${webUrl} failed: HTTP ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}
