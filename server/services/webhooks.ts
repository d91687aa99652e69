// Webhook triggers as editors manage them: a flow whose saved version starts with "When another
// system calls" takes JSON at `<ingest URL>/hooks/<flow id>` (server/ingest/webhooks.ts). Senders
// prove who they are with a Standard Webhooks signature (a `whsec_` secret, sealed with
// lib/secret-box.ts, since the ingest process must sign with it too) or a bearer token (`wht_`,
// kept as a SHA-256 hash). A new secret or token is returned by `rotateWebhook` once and never again.
import { randomBytes } from "node:crypto";
import { triggers, type Store } from "../../db/store";
import type { TriggerRow } from "../../db/store/triggers";
import { Precondition } from "../../lib/errors";
import { encryptionKey, seal, type Env, type KeyOptions } from "../../lib/secret-box";
import { record, sha256, type Principal } from "../access";

export type WebhookAuth = "signature" | "token";

/** Standard Webhooks' prefix of a base64 signing secret. */
export const SECRET_PREFIX = "whsec_";
export const TOKEN_PREFIX = "wht_";
/** Bytes of randomness in a secret or token (Standard Webhooks asks for 24 to 64). */
const SECRET_BYTES = 32;

/** Where the ingest process answers when LOOPWRIGHT_INGEST_URL is not set (its default port). */
export const DEFAULT_INGEST_URL = "http://localhost:3100";

/** The ingest URL without trailing slashes, or the default. */
export function ingestBase(url: string | undefined | null): string {
  return (url ?? "").trim().replace(/\/+$/, "") || DEFAULT_INGEST_URL;
}

/** A flow's webhook URL on this ingest base. */
export const webhookUrl = (base: string | undefined | null, flowId: string) => `${ingestBase(base)}/hooks/${encodeURIComponent(flowId)}`;

/** The node's `auth` setting (a signature unless it says token). */
export const authOf = (config: Record<string, unknown> | null | undefined): WebhookAuth => (config?.auth === "token" ? "token" : "signature");

export interface WebhookView {
  flowId: string;
  url: string;
  /** Whether the flow's saved version starts with the webhook trigger (the URL takes calls only then). */
  active: boolean;
  /** How senders prove who they are (the trigger node's setting); null until the trigger is saved. */
  auth: WebhookAuth | null;
  /** Whether a secret (signature) or token (token) for that mode exists. Never the value. */
  hasCredential: boolean;
  /** When the current secret or token was made. */
  createdAt: number | null;
}

export interface WebhookOptions extends KeyOptions {
  env?: Env;
}

async function webhookTrigger(store: Store, flowId: string): Promise<TriggerRow | null> {
  const t = await triggers.forFlow(store, flowId);
  return t?.kind === "webhook" ? t : null;
}

export async function getWebhook(store: Store, flowId: string, opts: WebhookOptions = {}): Promise<WebhookView> {
  const env = opts.env ?? process.env;
  const [t, endpoint] = await Promise.all([webhookTrigger(store, flowId), triggers.webhookEndpoint(store, flowId)]);
  const auth = t ? authOf(t.config) : null;
  const hasCredential = Boolean(auth && endpoint && (auth === "signature" ? endpoint.secret : endpoint.tokenHash));
  return { flowId, url: webhookUrl(env.LOOPWRIGHT_INGEST_URL, flowId), active: Boolean(t), auth, hasCredential, createdAt: hasCredential ? endpoint!.createdAt : null };
}

/** A new Standard Webhooks secret: `whsec_` and base64 of 32 random bytes. */
export const newSecret = () => `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString("base64")}`;
export const newToken = () => `${TOKEN_PREFIX}${randomBytes(SECRET_BYTES).toString("base64url")}`;

/**
 * Makes a new secret (signature mode) or token (token mode) for the flow's webhook, replacing the
 * old one at once (the ingest process picks it up within seconds), and returns it: this is the
 * only time it is shown. The audit log records who did it, never the value.
 */
export async function rotateWebhook(store: Store, principal: Principal | null, flowId: string, opts: WebhookOptions = {}): Promise<WebhookView & { secret: string }> {
  const t = await webhookTrigger(store, flowId);
  if (!t) throw new Precondition(`Flow "${flowId}" has no webhook trigger in its saved version: add a "When another system calls" node first and save the flow`);
  const auth = authOf(t.config);
  const before = await triggers.webhookEndpoint(store, flowId);
  const secret = auth === "signature" ? newSecret() : newToken();
  // Only the credential of the mode in use is kept: switching modes needs a new one anyway.
  if (auth === "signature") {
    const key = encryptionKey(opts.env ?? process.env, opts).key;
    await triggers.setWebhookEndpoint(store, { flowId, secret: seal(secret, key), tokenHash: null, createdBy: principal?.userId ?? null });
  } else {
    await triggers.setWebhookEndpoint(store, { flowId, secret: null, tokenHash: sha256(secret), createdBy: principal?.userId ?? null });
  }
  const replaced = Boolean(before && (auth === "signature" ? before.secret : before.tokenHash));
  await record(store, principal, "webhook.rotate", { target: flowId, detail: { auth, replaced } });
  return { ...(await getWebhook(store, flowId, opts)), secret };
}
