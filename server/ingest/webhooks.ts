// Flows' webhooks: POST /hooks/<flow id> with a JSON body (an object, or an array of them), from a
// flow whose saved version starts with the webhook trigger. The sender proves who it is as the
// trigger node says: a Standard Webhooks v1 signature (webhook-id, webhook-timestamp and
// webhook-signature headers, checked with the reference `standardwebhooks` library: the timestamp
// within 5 minutes) or `Authorization: Bearer <token>` (compared as SHA-256 hashes, in constant time).
//
// An accepted call is one inbox row, committed before the answer:
//   { sourceId: "webhook:<flow id>", messageId: <webhook-id, or Idempotency-Key, or a random UUID>,
//     type: "webhook", event: null, userId: null, anonymousId: null, timestamp: <now>,
//     receivedAt: <now>, payload: { body: <the parsed JSON body> } }
// A webhook-id already stored for the flow is not stored again (the inbox's unique index) and is
// answered 200 `{ ok: true, duplicate: true }`: a replay starts nothing a second time.
import { randomUUID, timingSafeEqual } from "node:crypto";
import type http from "node:http";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { triggers, type Store } from "../../db/store";
import type { NewInboxRow } from "../../db/store/events";
import type { TriggerRow, WebhookEndpointRow } from "../../db/store/triggers";
import { encryptionKey, open, type Env, type KeyOptions } from "../../lib/secret-box";
import { FLOW_ID } from "../../workflows/graph/schema";
import { sha256 } from "../access";
import { authOf } from "../services/webhooks";
import type { Committer } from "./committer";
import { HttpError, readBody } from "./http";

/** `/hooks/<flow id>` (a trailing slash allowed). */
export const WEBHOOK_PATH = /^\/hooks\/([^/]*)\/?$/;
/** The largest webhook body taken (500 KB). */
export const MAX_WEBHOOK_BYTES = 500 * 1024;
/** How long a flow's trigger and credentials are reused before they are read again: a rotated secret applies within this. */
export const ENDPOINT_CACHE_MS = 3_000;
/** Flows remembered at most (calls to unknown ids must not grow the cache without end). */
const CACHE_LIMIT = 5_000;
const MAX_MESSAGE_ID = 256;
/** How often a missing encryption key is written to the log. */
const KEY_LOG_MS = 60_000;

export interface WebhookKeyOptions extends Omit<KeyOptions, "create"> {
  env?: Env;
}

export type WebhookAnswer = { status: number; body: unknown; headers?: Record<string, string> };

interface Endpoint {
  trigger: TriggerRow | null;
  endpoint: WebhookEndpointRow | null;
  /** The signature checker, made from the opened secret the first time it is needed. */
  verifier?: Webhook;
}

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
};

/** What the reference library's refusals mean, in words a sender can act on. */
function signatureReason(err: WebhookVerificationError): string {
  switch (err.message) {
    case "Missing required headers":
      return "Sign the call as Standard Webhooks does: webhook-id, webhook-timestamp and webhook-signature headers";
    case "Message timestamp too old":
      return "The webhook-timestamp is more than 5 minutes old; sign the call again when sending it";
    case "Message timestamp too new":
      return "The webhook-timestamp is more than 5 minutes in the future; check the sender's clock";
    case "Invalid Signature Headers":
      return "The webhook-timestamp must be whole seconds since 1970 (Unix time)";
    default:
      return "The webhook-signature does not match this body, webhook-id and webhook-timestamp under this flow's secret";
  }
}

export function createWebhookHandler(store: Store, committer: Committer, opts: WebhookKeyOptions & { log?: (line: string) => void } = {}) {
  const cache = new Map<string, { at: number; value: Promise<Endpoint> }>();
  let key: Buffer | null = null;
  let keyLoggedAt = 0;

  function lookup(flowId: string): Promise<Endpoint> {
    const now = Date.now();
    const hit = cache.get(flowId);
    if (hit && now - hit.at <= ENDPOINT_CACHE_MS) return hit.value;
    if (cache.size >= CACHE_LIMIT) {
      for (const [id, e] of cache) if (now - e.at > ENDPOINT_CACHE_MS) cache.delete(id);
      if (cache.size >= CACHE_LIMIT) cache.clear();
    }
    const value = Promise.all([triggers.forFlow(store, flowId), triggers.webhookEndpoint(store, flowId)]).then(([trigger, endpoint]) => ({ trigger, endpoint }));
    cache.set(flowId, { at: now, value });
    // A failed read is not remembered: the next call reads again.
    value.catch(() => cache.get(flowId)?.value === value && cache.delete(flowId));
    return value;
  }

  /** The key the web app sealed the secrets with; never created here (it would not be the web app's). */
  function sealingKey(): Buffer {
    if (key) return key;
    try {
      key = encryptionKey(opts.env ?? process.env, { dataDir: opts.dataDir, create: false }).key;
      return key;
    } catch (err) {
      if (Date.now() - keyLoggedAt > KEY_LOG_MS) {
        keyLoggedAt = Date.now();
        opts.log?.(`webhook signatures cannot be checked: ${err instanceof Error ? err.message : String(err)}`);
      }
      throw new HttpError(503, "Webhook signatures cannot be checked here just now: this ingest process has no encryption key (an admin sets LOOPWRIGHT_ENCRYPTION_KEY or runs it with the web app's data directory)", { "retry-after": "60" });
    }
  }

  function verifier(flowId: string, e: Endpoint, sealed: string): Webhook {
    if (e.verifier) return e.verifier;
    try {
      e.verifier = new Webhook(open(sealed, sealingKey()));
      return e.verifier;
    } catch (err) {
      if (err instanceof HttpError) throw err;
      // Read the key again next time (the key file may have been replaced by a rekey).
      key = null;
      // The message says why (another key, damaged); it never holds the secret.
      opts.log?.(`the webhook secret of flow "${flowId}" cannot be opened: ${err instanceof Error ? err.message : String(err)}`);
      throw new HttpError(503, "This flow's webhook secret cannot be opened here (it was sealed with another encryption key); an editor can make a new one", { "retry-after": "60" });
    }
  }

  /** Checks the sender; returns the call's id. */
  function authenticate(req: http.IncomingMessage, raw: Buffer, flowId: string, e: Endpoint): string {
    const auth = authOf(e.trigger!.config);
    if (auth === "signature") {
      const sealed = e.endpoint?.secret;
      if (!sealed) throw new HttpError(401, "This flow's webhook has no signing secret yet; an editor creates one in the flow's trigger settings");
      const id = header(req, "webhook-id");
      const headers = { "webhook-id": id ?? "", "webhook-timestamp": header(req, "webhook-timestamp") ?? "", "webhook-signature": header(req, "webhook-signature") ?? "" };
      const check = verifier(flowId, e, sealed);
      try {
        check.verify(raw.toString("utf8"), headers, { jsonParse: false });
      } catch (err) {
        if (err instanceof WebhookVerificationError) throw new HttpError(401, signatureReason(err));
        throw err;
      }
      return id!;
    }
    const hash = e.endpoint?.tokenHash;
    if (!hash) throw new HttpError(401, "This flow's webhook has no token yet; an editor creates one in the flow's trigger settings", { "www-authenticate": 'Bearer realm="Loopwright webhook"' });
    const token = header(req, "authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) throw new HttpError(401, "Send the flow's webhook token as Authorization: Bearer <token>", { "www-authenticate": 'Bearer realm="Loopwright webhook"' });
    const given = Buffer.from(sha256(token), "hex");
    const wanted = Buffer.from(hash, "hex");
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw new HttpError(401, "This token is not the flow's webhook token (it may have been replaced); an editor can make a new one", { "www-authenticate": 'Bearer realm="Loopwright webhook"' });
    return header(req, "idempotency-key") ?? header(req, "webhook-id") ?? randomUUID();
  }

  return async function handle(req: http.IncomingMessage, encodedId: string): Promise<WebhookAnswer> {
    let flowId: string;
    try {
      flowId = decodeURIComponent(encodedId);
    } catch {
      flowId = "";
    }
    if (!FLOW_ID.test(flowId)) return { status: 404, body: { error: "No such webhook: a flow's webhook URL is /hooks/<flow id> (lower-case letters, digits and -)" } };
    if (req.method !== "POST") return { status: 405, body: { error: "Use POST" }, headers: { allow: "POST" } };
    const e = await lookup(flowId);
    if (e.trigger?.kind !== "webhook") return { status: 404, body: { error: `Flow "${flowId}" takes no webhooks: its saved version does not start with "When another system calls"` } };
    const raw = await readBody(req, MAX_WEBHOOK_BYTES);
    const messageId = authenticate(req, raw, flowId, e);
    if (messageId.length > MAX_MESSAGE_ID) throw new HttpError(400, `The call's id (webhook-id or Idempotency-Key) is longer than ${MAX_MESSAGE_ID} characters`);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch (err) {
      throw new HttpError(400, `The body is not JSON: ${(err as Error).message}`);
    }
    if (typeof body !== "object" || body === null) throw new HttpError(400, "The body must be a JSON object (one row) or an array (a row per item)");
    if (!committer.admits(1)) throw new HttpError(429, "Too many calls are waiting to be stored; send again in a second", { "retry-after": "1" });
    const now = Date.now();
    const row: NewInboxRow = { sourceId: `webhook:${flowId}`, messageId, type: "webhook", event: null, userId: null, anonymousId: null, timestamp: now, receivedAt: now, payload: { body } };
    const result = await committer.submit({ events: [row] });
    return { status: 200, body: result.duplicates ? { ok: true, duplicate: true } : { ok: true } };
  };
}
