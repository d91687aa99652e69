// Secrets at rest: AES-256-GCM with a random 12-byte nonce per value, as one compact string
// `v1:<keyId>:<nonce>:<tag>:<ciphertext>` (base64). keyId is the first 8 hex digits of sha256(key),
// so a value opened with another key says so instead of failing as "damaged". The version and key
// id are authenticated too (GCM additional data): changing them is detected like any other change.
//
// The key: LOOPWRIGHT_ENCRYPTION_KEY (32 bytes, base64 or hex), else the key file
// `<data>/keys/encryption.key`, created 0600 on first use by the web app.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Store } from "../db/store";
import { resealAll } from "../db/store/connections";
import { AppError } from "./errors";
import { decodeKey, readOrCreateKeyFile } from "./key-file";
import { dataDirPath, FILE_MODE, keysDir, privateDir } from "./paths";

export const ENCRYPTION_KEY_ENV = "LOOPWRIGHT_ENCRYPTION_KEY";
/** Where settings are read from: process.env unless a caller passes another. */
export type Env = Readonly<Record<string, string | undefined>>;
export const KEY_FILE_NAME = "encryption.key";
const VERSION = "v1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A secret that cannot be opened: another key, changed or damaged text, or no key on this machine. */
export class SecretBoxError extends AppError {
  constructor(message: string) {
    super("PRECONDITION_FAILED", message);
  }
}

/** First 8 hex digits of sha256(key): names a key without revealing it. */
export function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

function checkKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== 32) throw new SecretBoxError("The encryption key must be 32 bytes");
}

export function seal(plaintext: string, key: Buffer): string {
  checkKey(key);
  const id = keyId(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(`${VERSION}:${id}`));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, id, nonce.toString("base64"), cipher.getAuthTag().toString("base64"), ct.toString("base64")].join(":");
}

export function open(sealed: string, key: Buffer): string {
  checkKey(key);
  const parts = typeof sealed === "string" ? sealed.split(":") : [];
  const [version, id, nonceB64, tagB64, ctB64] = parts;
  if (parts.length !== 5 || version !== VERSION || !/^[0-9a-f]{8}$/.test(id ?? "")) {
    throw new SecretBoxError("This is not a sealed secret (expected v1:<key id>:<nonce>:<tag>:<ciphertext>)");
  }
  if (id !== keyId(key)) {
    throw new SecretBoxError(`This secret was encrypted under another key (id ${id}; the key in use has id ${keyId(key)}); set ${ENCRYPTION_KEY_ENV} to the key it was made with`);
  }
  const nonce = Buffer.from(nonceB64!, "base64");
  const tag = Buffer.from(tagB64!, "base64");
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError("This sealed secret is damaged (bad nonce or tag length)");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, nonce);
    decipher.setAAD(Buffer.from(`${VERSION}:${id}`));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ctB64!, "base64")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretBoxError("This sealed secret was changed or damaged: it fails authentication, so it is not used");
  }
}

export interface EncryptionKey {
  key: Buffer;
  id: string;
  /** Where the key came from: the environment variable, or the key file (its path). */
  source: "environment" | "file";
  file?: string;
}

export interface KeyOptions {
  /** The data directory whose keys/ folder holds the key file; default LOOPWRIGHT_DATA_DIR or ./.loopwright. */
  dataDir?: string;
  /** Create the key file when missing (the web app does; a worker only reads). Default true. */
  create?: boolean;
}

/** The key file's path (its folder is created 0700 when `create`). */
export function keyFilePath(env: Env = process.env, opts: KeyOptions = {}): string {
  const data = opts.dataDir ?? dataDirPath(env as NodeJS.ProcessEnv);
  const dir = opts.create === false ? path.join(data, "keys") : keysDir(privateDir(data, true));
  return path.join(dir, KEY_FILE_NAME);
}

/** The key secrets are sealed with: LOOPWRIGHT_ENCRYPTION_KEY, else the data directory's key file. */
export function encryptionKey(env: Env = process.env, opts: KeyOptions = {}): EncryptionKey {
  const fromEnv = env[ENCRYPTION_KEY_ENV]?.trim();
  if (fromEnv) {
    const key = decodeKey(fromEnv, ENCRYPTION_KEY_ENV);
    return { key, id: keyId(key), source: "environment" };
  }
  const file = keyFilePath(env, opts);
  if (opts.create === false && !existsSync(file)) {
    throw new SecretBoxError(
      `No encryption key here: ${ENCRYPTION_KEY_ENV} is not set and there is no key file ${file}. Set ${ENCRYPTION_KEY_ENV} to the key of the web app (its ${KEY_FILE_NAME} in the data directory's keys/ folder)`,
    );
  }
  const key = opts.create === false ? decodeKey(readFileSync(file, "utf8"), file) : readOrCreateKeyFile(file);
  return { key, id: keyId(key), source: "file", file };
}

/**
 * Re-encrypts every connection's secret under `newKey` in one transaction (nothing changes if one
 * cannot be opened with the current key). When the current key came from the key file, the new
 * key replaces it: written first beside it (0600) and renamed over it after the commit, so a crash
 * never loses the key the database now needs. When it came from LOOPWRIGHT_ENCRYPTION_KEY, the
 * caller must set that variable to the new key before the next start. Returns how many secrets
 * were re-encrypted.
 */
export async function rekey(store: Store, newKey: Buffer, env: Env = process.env, opts: KeyOptions = {}): Promise<number> {
  checkKey(newKey);
  const current = encryptionKey(env, opts);
  const pending = current.file ? `${current.file}.new` : undefined;
  if (pending) writeFileSync(pending, newKey.toString("base64") + "\n", { mode: FILE_MODE });
  let count: number;
  try {
    count = await resealAll(store, (ciphertext) => seal(open(ciphertext, current.key), newKey));
  } catch (err) {
    if (pending) rmSync(pending, { force: true });
    throw err;
  }
  if (pending) renameSync(pending, current.file!);
  return count;
}
