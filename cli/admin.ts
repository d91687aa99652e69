// The commands that run ON the server machine and open the control-plane store directly (the same
// DATABASE_URL, or the SQLite file in LOOPWRIGHT_DATA_DIR, as the app): `admin create`, which makes
// an admin when no one can sign in yet, and `connections rekey`. main.ts imports this module only
// for them, so the other commands never load the database or the auth library.
import { randomBytes } from "node:crypto";
import { openStore, type Store } from "../db/store";
import { decodeKey } from "../lib/key-file";
import { ENCRYPTION_KEY_ENV, encryptionKey, keyId, rekey as reseal } from "../lib/secret-box";
import { record, type Principal } from "../server/access";
import { createAccount, createApiKey } from "../server/services/accounts";
import { CliError, DEFAULT_URL } from "./api";
import { readStdin } from "./files";

export const ADMIN_KEY_NAME = "created by loopwright admin create";

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  let store: Store;
  try {
    store = await openStore();
  } catch (err) {
    throw new CliError(
      `Cannot open Loopwright's store: ${(err as Error).message}\n` +
        "Run this on the machine where Loopwright runs, with the same DATABASE_URL or LOOPWRIGHT_DATA_DIR as the app.",
    );
  }
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * `admin create --email E --name N [--password-stdin] [--json]`: an admin account (the first one or
 * another) with an admin API key, so a deployment script can go on without a browser.
 */
export async function adminCreate(opts: { email?: string; name?: string; passwordStdin: boolean; json: boolean }): Promise<number> {
  const email = opts.email?.trim();
  const name = opts.name?.trim();
  if (!email || !name) throw new CliError('admin create: give the new admin\'s --email and --name (e.g. --email ada@example.com --name "Ada Lovelace")');
  const generated = !opts.passwordStdin;
  // 18 random bytes: 24 characters, 144 bits.
  const password = generated ? randomBytes(18).toString("base64url") : await readStdin("password");

  // The auth library wants the app's address (for links it never sends here); without it, it warns.
  process.env.BETTER_AUTH_URL ??= process.env.LOOPWRIGHT_PUBLIC_URL?.trim() || process.env.LOOPWRIGHT_URL?.trim() || DEFAULT_URL;
  const made = await withStore(async (store) => {
    const user = await createAccount(store, { email, name, password, role: "admin" }).catch((err: unknown) => {
      if (err instanceof Error && err.message.endsWith("already has an account")) {
        throw new CliError(`${err.message}; give another --email (to make that account an admin, change its role in the app's user list)`);
      }
      throw err;
    });
    await record(store, null, "user.create", { target: user.email, detail: { role: "admin", via: "cli" } });
    const principal: Principal = { userId: user.id, email: user.email, name: user.name, role: "admin", via: "session" };
    const key = await createApiKey(store, principal, { name: ADMIN_KEY_NAME, role: "admin" });
    return { user, key, location: store.location };
  });

  if (opts.json) {
    console.log(JSON.stringify({ email: made.user.email, role: made.user.role, apiKey: made.key.key, ...(generated ? { password } : {}) }));
    return 0;
  }
  console.log(`Created admin ${made.user.email} (${made.user.name}) in ${made.location}`);
  if (generated) {
    console.log(`Password: ${password}`);
    console.log("  generated and shown only this once: sign in with it, then change it under Account");
  }
  console.log(`API key:  ${made.key.key}`);
  console.log(`  admin role, shown only this once; for the CLI and scripts: export LOOPWRIGHT_API_KEY=<this key>`);
  return 0;
}

export const NEW_KEY_ENV = "LOOPWRIGHT_NEW_ENCRYPTION_KEY";

/**
 * `connections rekey`: every connection secret re-encrypted under a new key, in one transaction.
 * The new key is LOOPWRIGHT_NEW_ENCRYPTION_KEY or a new random one. When the app's key is the data
 * directory's key file, the file gets the new key; when it is LOOPWRIGHT_ENCRYPTION_KEY, that
 * variable must be changed where Loopwright runs. The key is printed only when it was generated
 * here and no key file holds it: otherwise it would be lost.
 */
export async function rekey(opts: { json: boolean }): Promise<number> {
  const env = process.env;
  // The key in use now, without creating a key file (a data directory that never had one has no secrets to open).
  const current = (() => {
    try {
      return encryptionKey(env, { create: false });
    } catch (err) {
      throw new CliError(`connections rekey: ${(err as Error).message}`);
    }
  })();
  const given = env[NEW_KEY_ENV]?.trim();
  const generated = !given;
  let newKey: Buffer;
  try {
    newKey = given ? decodeKey(given, NEW_KEY_ENV) : randomBytes(32);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (keyId(newKey) === current.id) throw new CliError(`${NEW_KEY_ENV} is the key in use already (id ${current.id}); give a new one, or leave it unset for a generated one`);

  const count = await withStore((store) => reseal(store, newKey, env, { create: false }));
  const id = keyId(newKey);
  const showKey = generated && current.source === "environment";
  if (opts.json) {
    console.log(JSON.stringify({ reencrypted: count, oldKeyId: current.id, keyId: id, keySource: current.source, ...(current.file ? { keyFile: current.file } : {}), ...(showKey ? { key: newKey.toString("base64") } : {}) }));
    return 0;
  }
  console.log(`Re-encrypted ${count} connection secret(s) under the new key (id ${id}; the old key had id ${current.id}).`);
  if (current.source === "file") {
    console.log(`The key file ${current.file} now holds the new key. Keep a copy of it with your database backups.`);
    console.log(`Workers that get the key from ${ENCRYPTION_KEY_ENV} instead of this file need the new key; restart them with it.`);
  } else if (showKey) {
    console.log(`The new key is below, shown only this once. Store it now: set ${ENCRYPTION_KEY_ENV} to it wherever Loopwright runs`);
    console.log(`(web app and workers) and restart them; until then they cannot open the connections' secrets.`);
    console.log(newKey.toString("base64"));
    console.error(`WARNING: this key exists nowhere else. Without it the connections' secrets cannot be opened.`);
  } else {
    console.log(`Set ${ENCRYPTION_KEY_ENV} to the value of ${NEW_KEY_ENV} wherever Loopwright runs (web app and workers) and restart them;`);
    console.log(`until then they cannot open the connections' secrets.`);
  }
  return 0;
}
