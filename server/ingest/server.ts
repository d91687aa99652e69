// The ingest API: Segment's HTTP Tracking API (POST /v1/track, /v1/identify, /v1/page, /v1/screen,
// /v1/group, /v1/alias, /v1/batch), a source's write key as the basic-auth user (or `writeKey` in
// the body), and flows' webhooks (POST /hooks/<flow id>, see webhooks.ts). An answer of 200 means the
// events are committed to the inbox. Plain node:http: it is the hot path, and it must keep
// answering while the web app restarts.
import http from "node:http";
import { events, plan, type Store } from "../../db/store";
import type { NewFailedEvent, NewInboxRow, SourceRow } from "../../db/store/events";
import { sha256 } from "../access";
import { Committer, type CommitterOptions } from "./committer";
import { MAX_BATCH_BYTES, MAX_EVENT_BYTES, normalise } from "./events";
import { HttpError, readBody } from "./http";
import { PlanCheck } from "./plan-check";
import { createWebhookHandler, WEBHOOK_PATH, type WebhookKeyOptions } from "./webhooks";

const SOURCE_CACHE_MS = 10_000;
/** How soon a saved tracking plan applies to arriving events. */
const PLAN_CACHE_MS = 5_000;

function writeKeyOf(req: http.IncomingMessage, body: Record<string, unknown>): string | null {
  const auth = req.headers.authorization;
  const basic = auth?.match(/^Basic\s+(\S+)$/i)?.[1];
  if (basic) {
    const user = Buffer.from(basic, "base64").toString("utf8").split(":")[0];
    if (user) return user;
  }
  return typeof body.writeKey === "string" && body.writeKey ? body.writeKey : null;
}

export interface IngestOptions extends Partial<CommitterOptions> {
  log?: (line: string) => void;
  /** Where webhook signing secrets' key is found (default: LOOPWRIGHT_ENCRYPTION_KEY or the data directory's key file; never created here). */
  webhookKeys?: WebhookKeyOptions;
}

export function createIngestServer(store: Store, opts: IngestOptions = {}) {
  const committer = new Committer(store, { maxPending: opts.maxPending ?? 20_000, maxPerCommit: opts.maxPerCommit ?? 5_000, gatherMs: opts.gatherMs ?? 4 });
  const cache = new Map<string, { source: SourceRow | null; at: number }>();
  // The plan is loaded once before the first request is checked, then refreshed in the background:
  // a request never waits for a reload (which could queue behind a busy database).
  let checker = new PlanCheck([]);
  const loadPlan = () => plan.latest(store).then((entries) => void (checker = new PlanCheck(entries)));
  // Until a first load succeeds, each request tries again (and fails with 503 while the store is down).
  let loaded: Promise<void> | null = null;
  const planLoaded = () =>
    (loaded ??= loadPlan().catch((err: unknown) => {
      loaded = null;
      throw err;
    }));
  const refresh = setInterval(() => {
    loadPlan().catch((err: unknown) => opts.log?.(`reloading the tracking plan failed: ${err instanceof Error ? err.message : String(err)}`));
  }, PLAN_CACHE_MS);
  refresh.unref();
  const webhook = createWebhookHandler(store, committer, { ...opts.webhookKeys, log: opts.log });

  async function source(writeKey: string): Promise<SourceRow> {
    const hash = sha256(writeKey);
    let hit = cache.get(hash);
    if (!hit || Date.now() - hit.at > SOURCE_CACHE_MS) {
      hit = { source: await events.sourceByKeyHash(store, hash), at: Date.now() };
      cache.set(hash, hit);
    }
    if (!hit.source) throw new HttpError(401, "This write key is not known here; an admin creates sources and their write keys under Sources");
    if (hit.source.revokedAt) throw new HttpError(401, `The write key of source "${hit.source.name}" was revoked; ask an admin for the new one`);
    return hit.source;
  }

  async function handle(req: http.IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? "/", "http://ingest");
    if (req.method === "GET" && url.pathname === "/health") return { status: 200, body: { ok: true, waiting: committer.waiting } };
    const hook = url.pathname.match(WEBHOOK_PATH);
    if (hook) return webhook(req, hook[1]!);
    const m = url.pathname.match(/^\/v1\/(track|identify|page|screen|group|alias|batch|import)\/?$/);
    if (!m) return { status: 404, body: { error: `No such endpoint: ${url.pathname} (use POST /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group, /v1/alias or /v1/batch; a flow's webhook is POST /hooks/<flow id>)` } };
    if (req.method !== "POST") return { status: 405, body: { error: "Use POST" }, headers: { allow: "POST" } };
    const kind = m[1]!;
    const batch = kind === "batch" || kind === "import";
    const raw = await readBody(req, batch ? MAX_BATCH_BYTES : MAX_EVENT_BYTES);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch (err) {
      throw new HttpError(400, `The body is not JSON: ${(err as Error).message}`);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "The body must be a JSON object");
    const b = body as Record<string, unknown>;
    const writeKey = writeKeyOf(req, b);
    if (!writeKey) throw new HttpError(401, "Send the source's write key as the basic-auth user name (Authorization: Basic base64(writeKey + ':'))", { "www-authenticate": 'Basic realm="Loopwright ingest"' });
    const src = await source(writeKey);
    await planLoaded();
    const list = batch ? b.batch : [b];
    if (!Array.isArray(list)) throw new HttpError(400, "A batch needs its events in `batch`, an array");
    if (!committer.admits(list.length)) throw new HttpError(429, "Too many events are waiting to be stored; send again in a second", { "retry-after": "1" });

    const at = { sourceId: src.id, receivedAt: Date.now(), sentAt: b.sentAt };
    const rows: NewInboxRow[] = [];
    const failed: NewFailedEvent[] = [];
    const refusals: { index: number; reasons: unknown }[] = [];
    list.forEach((e, index) => {
      const type = batch ? (e as { type?: unknown } | null)?.type : kind;
      const out = normalise(e, type, at);
      const checked = "row" in out ? checker.check(out.row, src) : null;
      if ("row" in out && checked!.reasons.length === 0) rows.push({ ...out.row, unplanned: checked!.unplanned });
      else if ("row" in out) {
        const { row } = out;
        const reasons = checked!.reasons;
        failed.push({ sourceId: src.id, messageId: row.messageId, type: row.type, event: row.event, receivedAt: at.receivedAt, payload: e ?? null, reasons });
        refusals.push({ index, reasons });
      } else {
        failed.push(out.failed);
        refusals.push({ index, reasons: out.failed.reasons });
      }
    });
    const result = await committer.submit({ events: rows, failed });
    // A single event that was refused is a bad request (recorded as a failed event all the same);
    // in a batch, the others are stored and the refused ones listed.
    if (!batch && refusals.length) return { status: 400, body: { error: "The event was not accepted", reasons: refusals[0]!.reasons } };
    return { status: 200, body: { success: true, stored: result.stored, duplicates: result.duplicates, ...(refusals.length ? { failed: refusals } : {}) } };
  }

  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    handle(req).then(
      (r) => send(r.status, r.body, r.headers),
      (err: unknown) => {
        if (err instanceof HttpError) return send(err.status, { error: err.message }, err.headers);
        // The store is down or busy: the sender should try again; nothing was accepted.
        opts.log?.(`request failed: ${err instanceof Error ? err.message : String(err)}`);
        const what = req.url?.startsWith("/hooks/") ? "The call could not be stored just now; send it again" : "The events could not be stored just now; send them again";
        send(503, { error: what }, { "retry-after": "1" });
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  server.on("close", () => clearInterval(refresh));
  return { server, committer };
}
