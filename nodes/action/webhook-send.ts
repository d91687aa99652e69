// Sending for action.webhook: one request (a row, or a batch of rows) with its Standard Webhooks
// headers, tried again on busy or failing receivers (Retry-After honoured, heartbeats while
// waiting), and a small pool that keeps a fixed number of requests in flight.
import { createHash } from "node:crypto";
import { DataError, TransientError, type HttpConnection, type NodeContext } from "../sdk";
import { backoffDelay, retryAfterMs, sleep } from "../source/http-pages";

/** The longest wait before one retry, whatever Retry-After asks. */
const MAX_RETRY_WAIT_MS = 60_000;
/** Waits are cut into slices this long, each followed by a heartbeat (the action kind's heartbeat timeout is 1 minute). */
const HEARTBEAT_SLICE_MS = 10_000;
/** A receiver's answer is not read beyond this (only its status and headers matter). */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** What a connection that can sign offers: the webhook-signature value for one message; never the secret. */
export type SignWebhook = (msgId: string, timestampSeconds: number, body: string) => string;

/**
 * The connection's signer, when it has a webhook signing secret: it offers `signWebhook` and keeps
 * the secret to itself. Looked up by name, since not every HTTP connection (nor every version of
 * the connection SDK) has one.
 */
export function signerOf(conn: HttpConnection): SignWebhook | undefined {
  const fn = (conn as HttpConnection & { signWebhook?: unknown }).signWebhook;
  return typeof fn === "function" ? (fn as SignWebhook).bind(conn) : undefined;
}

const RETRY_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

export const sha256 = (text: string) => createHash("sha256").update(text).digest();
/** A Standard Webhooks message id from a ledger key (or several): stable across retries, no customer id in clear. */
export const messageId = (keys: readonly string[]) => `msg_${sha256(keys.join("\n")).toString("base64url").slice(0, 32)}`;

function seconds(ms: number): string {
  return `${+(ms / 1000).toFixed(ms < 1000 ? 3 : 1)} s`;
}

export interface Item {
  customer: string;
  /** The row's idempotency key (its webhook-id when sent alone). */
  key: string;
  json: string;
}

export interface Outcome {
  ok: boolean;
  status?: number;
  reason?: string;
  attempts: number;
  providerId?: string;
}

export interface SendSettings {
  batchSize: number;
  maxAttempts: number;
  backoffMs: number;
  timeoutSeconds: number;
}

export class Sender {
  requests = 0;
  retries = 0;
  private lastBeat = 0;

  constructor(
    private readonly cfg: SendSettings,
    private readonly ctx: NodeContext,
    private readonly conn: HttpConnection,
    private readonly url: URL,
    private readonly sign: SignWebhook | undefined,
  ) {}

  /** Keeps the activity's heartbeat alive while requests are in flight, at most once a second. */
  beat(message?: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastBeat < 1000) return;
    this.lastBeat = now;
    this.ctx.progress(null, message);
  }

  /** One request, tried up to maxAttempts times. Throws only for what fails every row alike (a ConfigError, a cancelled run). */
  async send(items: readonly Item[]): Promise<Outcome & { id: string }> {
    const { cfg, ctx } = this;
    // One row: its own key. A batch: a key of its rows' keys (the same batch on a retry gets the same one).
    const id = items.length === 1 ? items[0]!.key : messageId(items.map((i) => i.key));
    const body = cfg.batchSize === 1 ? items[0]!.json : `[${items.map((i) => i.json).join(",")}]`;
    for (let attempt = 1; ; attempt++) {
      let status: number | undefined;
      let reason: string;
      let retry: boolean;
      let wait: number | undefined;
      try {
        // A fresh timestamp (and signature) per try: a long Retry-After must not make it stale.
        const ts = Math.floor(Date.now() / 1000);
        const headers: Record<string, string> = {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(ts),
          "idempotency-key": id,
        };
        if (this.sign) headers["webhook-signature"] = this.sign(id, ts, body);
        this.requests++;
        const res = await this.conn.fetch(this.url, { method: "POST", headers, body, timeoutMs: cfg.timeoutSeconds * 1000, maxBytes: MAX_RESPONSE_BYTES, signal: ctx.signal });
        await res.body?.cancel().catch(() => {});
        if (res.ok) return { id, ok: true, status: res.status, attempts: attempt, providerId: res.headers.get("x-request-id") ?? res.headers.get("request-id") ?? undefined };
        status = res.status;
        reason = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
        retry = RETRY_STATUS(res.status);
        wait = retryAfterMs(res.headers.get("retry-after"));
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
        // Network trouble is worth another try; a bad answer (too large, not HTTP) is this request's
        // failure; anything else (the guard refusing the address, a redirect) fails every row alike.
        if (err instanceof TransientError) retry = true;
        else if (err instanceof DataError) retry = false;
        else throw err;
        reason = err.message;
      }
      if (!retry || attempt >= cfg.maxAttempts) {
        return { id, ok: false, status, reason: attempt > 1 ? `${reason} (after ${attempt} attempts)` : reason, attempts: attempt };
      }
      this.retries++;
      const delay = Math.min(MAX_RETRY_WAIT_MS, wait ?? backoffDelay(attempt, cfg.backoffMs));
      const message = `${reason}; try ${attempt + 1} of ${cfg.maxAttempts} in ${seconds(delay)}`;
      ctx.log.warn(message, { webhookId: id });
      this.beat(message, true);
      for (let left = delay; left > 0; left -= HEARTBEAT_SLICE_MS) {
        await sleep(Math.min(left, HEARTBEAT_SLICE_MS), ctx.signal);
        if (left > HEARTBEAT_SLICE_MS) this.beat(message, true);
      }
    }
  }
}

/** Runs `work` over `jobs`, at most `n` at once; the first error stops new jobs and is rethrown once the running ones end. */
export async function pool<T>(jobs: readonly T[], n: number, work: (job: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const errors: unknown[] = [];
  const worker = async () => {
    while (!failed && next < jobs.length) {
      const job = jobs[next++]!;
      try {
        await work(job);
      } catch (err) {
        failed = true;
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
  if (errors.length) throw errors[0];
}
