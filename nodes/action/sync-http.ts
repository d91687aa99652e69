// action.sync into an HTTP API through an HTTP connection (its credentials, its hosts only, no
// redirects): one request per row (a few in flight at once) or one per batch (a JSON array, or an
// object holding it under a name). Busy and failing servers (408, 429, 5xx, network) are retried
// with growing waits; 401 stops the sync (the credentials); any other 4xx refuses the row, or the
// batch, which the sync then halves to find the rows refused. Mirror mode sends DELETE.
import { ConfigError, TransientError, type HttpConnection, type NodeContext } from "../sdk";
import { backoffDelay, retryAfterMs, sleep } from "../source/http-pages";
import { RowsRefused, type BatchOutcome, type Destination, type SyncRemoval, type SyncRow, type WriteOp } from "./sync-core";

export interface HttpTarget {
  path: string;
  method: "POST" | "PUT" | "PATCH";
  per: "row" | "batch";
  /** Batch mode: the name the array is sent under ({"records": [...]}); empty: the array is the body. */
  wrap: string;
  concurrency: number;
  retries: number;
  backoffMs: number;
  timeoutSeconds: number;
  /** Destination field for each sent column, in order; a dotted name nests (properties.email). */
  fields: string[];
  /** Destination key fields, in order (subset of fields). */
  keyFields: string[];
  /** Input key columns, in order, as the path's {placeholders} name them. */
  keys: string[];
}

const PLACEHOLDER = /\{([^{}]+)\}/g;
const MAX_REASON = 300;
const RETRY_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

/** The placeholders a path names, e.g. ["customerID"] for /contacts/{customerID}. */
export function placeholders(path: string): string[] {
  return [...path.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Sets `value` at a dotted path of `obj`, as own properties (a field named __proto__ stays data). */
function put(obj: Record<string, unknown>, field: string, value: unknown): void {
  const parts = field.split(".");
  let at = obj;
  for (const part of parts.slice(0, -1)) {
    let next = Object.prototype.hasOwnProperty.call(at, part) ? at[part] : undefined;
    if (!next || typeof next !== "object") {
      next = {};
      Object.defineProperty(at, part, { value: next, enumerable: true, writable: true, configurable: true });
    }
    at = next as Record<string, unknown>;
  }
  Object.defineProperty(at, parts.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
}

/** What the API said about a refused request: its status, and the message of a JSON or plain-text body. */
async function refusal(res: Response): Promise<string> {
  const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
  const type = (res.headers.get("content-type") ?? "").toLowerCase();
  let said = "";
  try {
    const body = await res.text();
    if (type.includes("json")) {
      const parsed: unknown = JSON.parse(body);
      said = messageOf(parsed);
    } else if (type.startsWith("text/plain")) {
      said = body.trim();
    }
  } catch {
    // no readable message: the status says it
  }
  said = said.replace(/\s+/g, " ").trim();
  if (said.length > MAX_REASON) said = `${said.slice(0, MAX_REASON)}…`;
  return said ? `${status}: ${said}` : status;
}

function messageOf(body: unknown): string {
  if (typeof body === "string") return body;
  if (!body || typeof body !== "object") return "";
  if (Array.isArray(body)) return body.length ? messageOf(body[0]) : "";
  const o = body as Record<string, unknown>;
  for (const k of ["message", "error_description", "detail", "reason", "error", "title"]) {
    const v = o[k];
    if (typeof v === "string" && v.trim()) return v;
    if (v && typeof v === "object") {
      const inner = messageOf(v);
      if (inner) return inner;
    }
  }
  if (Array.isArray(o.errors)) return messageOf(o.errors);
  return "";
}

export function httpDestination(conn: HttpConnection, t: HttpTarget, ctx: NodeContext): Destination {
  const { fields, keyFields, keys } = t;
  const named = placeholders(t.path);
  let calls = 0;

  const record = (values: readonly unknown[]) => {
    const out: Record<string, unknown> = {};
    fields.forEach((f, i) => put(out, f, values[i] ?? null));
    return out;
  };
  const keyRecord = (keyValues: readonly unknown[]) => {
    const out: Record<string, unknown> = {};
    keyFields.forEach((f, j) => put(out, f, keyValues[j] ?? null));
    return out;
  };
  const pathFor = (keyValues: readonly unknown[]) => t.path.replace(PLACEHOLDER, (_m, name: string) => encodeURIComponent(String(keyValues[keys.indexOf(name)] ?? "")));
  const wrapped = (items: unknown[]) => (t.wrap ? Object.defineProperty({}, t.wrap, { value: items, enumerable: true }) : items);

  /** One request, retried while the server is busy or failing. Resolves to null when accepted, else the refusal. */
  const send = async (method: string, path: string, body: unknown, opts: { onMissing?: "ok"; idempotencyKey?: string } = {}): Promise<{ status: number; reason: string } | null> => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    // The same on every retry of this request (and of this row's version in this run and node).
    if (opts.idempotencyKey) headers["idempotency-key"] = opts.idempotencyKey;
    for (let attempt = 0; ; attempt++) {
      ctx.signal.throwIfAborted();
      let problem: string;
      let wait: number | undefined;
      let cause: unknown;
      try {
        calls++;
        const res = await conn.fetch(path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          timeoutMs: t.timeoutSeconds * 1000,
          maxBytes: 1024 * 1024,
          signal: ctx.signal,
        });
        if (res.ok || (opts.onMissing === "ok" && (res.status === 404 || res.status === 410))) {
          await res.body?.cancel().catch(() => {});
          return null;
        }
        if (res.status === 401 || res.status === 407) {
          await res.body?.cancel().catch(() => {});
          throw new ConfigError(`Sync: ${conn.baseUrl} refused the connection's credentials (HTTP ${res.status}); an admin must fix the connection "${conn.name}"`, { field: "connection" });
        }
        if (!RETRY_STATUS(res.status)) return { status: res.status, reason: await refusal(res) };
        problem = await refusal(res);
        wait = retryAfterMs(res.headers.get("retry-after"));
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
        if (err instanceof ConfigError && err.where === "url") throw new ConfigError(err.message, { field: "path", cause: err });
        if (!(err instanceof TransientError)) throw err;
        problem = err.message;
        cause = err;
      }
      if (attempt >= t.retries) throw new TransientError(`Sync: ${method} ${path}: ${problem}, after ${attempt + 1} attempt${attempt ? "s" : ""}`, { cause });
      const delay = Math.min(120_000, wait ?? backoffDelay(attempt + 1, t.backoffMs));
      const message = `${method} ${path}: ${problem}; retry ${attempt + 1} of ${t.retries} in ${delay} ms`;
      ctx.log.warn(message);
      ctx.progress(null, message);
      await sleep(delay, ctx.signal);
    }
  };

  /** Runs `each` for every item with at most `concurrency` in flight; the refusals by index. */
  const pool = async <T>(items: readonly T[], each: (item: T) => Promise<{ status: number; reason: string } | null>) => {
    const outcomes: ({ status: number; reason: string } | null)[] = new Array(items.length).fill(null);
    let next = 0;
    let failed = false;
    const worker = async () => {
      // After a failure (credentials, a server that stays down) no new request starts.
      while (next < items.length && !failed) {
        const i = next++;
        try {
          outcomes[i] = await each(items[i]!);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(t.concurrency, items.length) }, worker));
    return outcomes;
  };

  return {
    label: `the API at ${t.path} (connection "${conn.name}")`,
    // Per row: the rows handed to the pool at once (its requests are one per row anyway).
    defaultBatch: t.per === "row" ? 500 : 100,
    maxBatch: t.per === "row" ? 500 : 10_000,
    select(col, c) {
      const type = col.type.toUpperCase();
      // JSON has numbers, booleans and text: integers up to 64 bits and doubles as numbers (NaN and
      // infinities, which JSON cannot hold, as null), decimals as doubles, everything else as text.
      if (/^(U?(TINYINT|SMALLINT|INTEGER|BIGINT)|BOOLEAN|VARCHAR)$/.test(type)) return c;
      if (/^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC)/.test(type)) return `CASE WHEN isfinite(CAST(${c} AS DOUBLE)) THEN CAST(${c} AS DOUBLE) END`;
      return `CAST(${c} AS VARCHAR)`;
    },
    async open() {
      if (t.per === "batch" && named.length) {
        throw new ConfigError(`Sync: a path with {placeholders} names one record, so it needs one request per row (per: row)`, { field: "path" });
      }
      const unknown = named.filter((n) => !keys.includes(n));
      if (unknown.length) throw new ConfigError(`Sync: the path's {${unknown[0]}} is not a key column; only key columns (${keys.join(", ")}) can be in the path`, { field: "path" });
    },
    async write(op: WriteOp, rows: readonly SyncRow[]): Promise<BatchOutcome> {
      // insert: 409 Conflict means the record is there already; update: 404 means it is not.
      const skipStatus = op === "insert" ? 409 : op === "update" ? 404 : 0;
      if (t.per === "batch") {
        const refused = await send(t.method, t.path, wrapped(rows.map((r) => record(r.values))));
        if (!refused) return {};
        if (rows.length === 1 && refused.status === skipStatus) return { skipped: new Map([[0, refused.reason]]) };
        throw new RowsRefused(refused.reason);
      }
      const outcomes = await pool(rows, (r) => send(t.method, pathFor(r.keyValues), record(r.values), { idempotencyKey: `${ctx.ledger.key(r.key)}:${r.hash.slice(0, 16)}` }));
      const skipped = new Map<number, string>();
      const rejected = new Map<number, string>();
      outcomes.forEach((o, i) => {
        if (o && o.status === skipStatus) skipped.set(i, o.reason);
        else if (o) rejected.set(i, o.reason);
      });
      return { skipped, rejected };
    },
    async remove(records: readonly SyncRemoval[]): Promise<BatchOutcome> {
      if (t.per === "batch") {
        const refused = await send("DELETE", t.path, wrapped(records.map((r) => keyRecord(r.keyValues))), { onMissing: "ok" });
        if (refused) throw new RowsRefused(refused.reason);
        return {};
      }
      const outcomes = await pool(records, (r) => send("DELETE", pathFor(r.keyValues), named.length ? undefined : keyRecord(r.keyValues), { onMissing: "ok" }));
      const rejected = new Map<number, string>();
      outcomes.forEach((o, i) => o && rejected.set(i, o.reason));
      return { rejected };
    },
    calls: () => calls,
    async close() {},
  };
}
