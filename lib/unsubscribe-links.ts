// Unsubscribe links: a token naming the customer and the channel, signed with HMAC-SHA256 under a
// key both the worker (which writes the links into messages) and the web app (which serves them,
// app/u/[token]) read: LOOPWRIGHT_UNSUBSCRIBE_KEY (32 bytes, base64 or hex), else the key file
// keys/unsubscribe.key in the data directory, made on first use. Workers on other machines need
// the variable (like LOOPWRIGHT_ENCRYPTION_KEY). Tokens do not expire: a link in an old message
// must still work.
// Nodes reach it through the node context (`ctx.links.unsubscribe`), never directly.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { dataDirPath } from "./paths";
const SIG_BYTES = 16;
const CHANNELS = { e: "email" } as const;
type ChannelCode = keyof typeof CHANNELS;
type Env = Readonly<Record<string, string | undefined>>;
export type UnsubscribeChannel = (typeof CHANNELS)[ChannelCode];

function decodeKey(text: string, from: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
  if (key.length !== 32) throw new Error(`${from} must hold a 32-byte key in base64 (44 characters) or hex (64 digits); it holds ${key.length} bytes`);
  return key;
}

const dataDirOf = (env: Env) => dataDirPath(env as NodeJS.ProcessEnv);

/** The signing key: LOOPWRIGHT_UNSUBSCRIBE_KEY, else `<dataDir>/keys/unsubscribe.key` (created 0600 when missing). */
export function unsubscribeKey(env: Env = process.env, dataDir = dataDirOf(env)): Buffer {
  const fromEnv = env.LOOPWRIGHT_UNSUBSCRIBE_KEY?.trim();
  if (fromEnv) return decodeKey(fromEnv, "LOOPWRIGHT_UNSUBSCRIBE_KEY");
  const dir = path.join(dataDir, "keys");
  const file = path.join(dir, "unsubscribe.key");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // Exclusive: two processes starting at once end up with the same key.
    writeFileSync(file, randomBytes(32).toString("base64") + "\n", { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return decodeKey(readFileSync(file, "utf8"), file);
}

/** Where links in messages point: LOOPWRIGHT_PUBLIC_URL, else the web app's own URL (LOOPWRIGHT_WEB_URL, set by npm start), else localhost. */
export function publicBaseUrl(env: Env = process.env): string {
  const url = env.LOOPWRIGHT_PUBLIC_URL?.trim() || env.LOOPWRIGHT_WEB_URL?.trim() || `http://localhost:${env.PORT?.trim() || 3000}`;
  return url.replace(/\/+$/, "");
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");

function signature(key: Buffer, code: ChannelCode, customer: string): Buffer {
  return createHmac("sha256", key).update(`loopwright-unsubscribe:v1:${CHANNELS[code]}:${customer}`).digest().subarray(0, SIG_BYTES);
}

/** `e.<customer, base64url>.<signature>`: the customer as the ledger knows them (their user id). */
export function unsubscribeToken(key: Buffer, customer: string, channel: UnsubscribeChannel = "email"): string {
  const code = (Object.keys(CHANNELS) as ChannelCode[]).find((c) => CHANNELS[c] === channel)!;
  return `${code}.${b64(customer)}.${b64(signature(key, code, customer))}`;
}

/** The customer and channel a token names, or null when it is malformed or its signature is wrong. */
export function verifyUnsubscribeToken(key: Buffer, token: string): { customer: string; channel: UnsubscribeChannel } | null {
  const m = /^([a-z])\.([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{16,64})$/.exec(token);
  if (!m || !(m[1]! in CHANNELS)) return null;
  const code = m[1] as ChannelCode;
  const customer = Buffer.from(m[2]!, "base64url").toString("utf8");
  if (!customer || b64(customer) !== m[2]) return null;
  const given = Buffer.from(m[3]!, "base64url");
  // One spelling per signature: base64url's last character carries spare bits that decoding ignores.
  if (b64(given) !== m[3]) return null;
  const want = signature(key, code, customer);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  return { customer, channel: CHANNELS[code] };
}

export function unsubscribeUrl(base: string, token: string): string {
  return `${base}/u/${token}`;
}
