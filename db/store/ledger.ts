// The decision ledger: one row per action towards a customer, keyed by (run, node, customer), so an
// action checks it before acting and records after, and a retry never acts twice. Also the state
// of the last successful sync per destination (only changed rows are sent again).
import { and, desc, eq, gte, inArray, isNull, like, ne, notLike, or, sql } from "drizzle-orm";
import { DEFERRED_PREFIX } from "../../lib/guardrails-rules";
import type { Store } from "./handle";

export type LedgerRow = Store["t"]["ledger"]["$inferSelect"];
export type NewLedgerRow = Omit<LedgerRow, "at"> & { at?: number };

const CHUNK = 400;

/**
 * A send put off by quiet hours is recorded as suppressed, "deferred to <time> (quiet hours)", until
 * the deferred part acts: not settled (a retry defers or sends it again), and replaced by what
 * happened then, so the customer's timeline keeps one row for that send.
 */
const deferral = (l: Store["t"]["ledger"]) => and(eq(l.status, "suppressed"), like(l.reason, `${DEFERRED_PREFIX}%`));
const notDeferral = (l: Store["t"]["ledger"]) => or(ne(l.status, "suppressed"), isNull(l.reason), notLike(l.reason, `${DEFERRED_PREFIX}%`));

/** Of these keys, the ones already settled (sent or suppressed, not deferred): not to be acted on again. A failed one may be retried. */
export function settled(s: Store, keys: readonly string[]): Promise<Set<string>> {
  return s.use(async (q) => {
    const { ledger: l } = s.t;
    const out = new Set<string>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const rows = await q
        .select({ key: l.key })
        .from(l)
        .where(and(inArray(l.key, keys.slice(i, i + CHUNK) as string[]), inArray(l.status, ["sent", "suppressed"]), notDeferral(l)));
      for (const r of rows) out.add(r.key);
    }
    return out;
  });
}

/**
 * Records (or updates: a failure or a deferral that later went otherwise) ledger rows, in one
 * transaction. `replaces`: keys of deferral rows these rows stand for (a deferred part's outcome
 * replaces the deferral in the run that put it off); they are removed.
 */
export function record(s: Store, rows: readonly NewLedgerRow[], replaces: readonly string[] = []): Promise<void> {
  if (!rows.length && !replaces.length) return Promise.resolve();
  return s.tx(async (q) => {
    const { ledger: l } = s.t;
    const now = Date.now();
    for (let i = 0; i < replaces.length; i += CHUNK) await q.delete(l).where(and(inArray(l.key, replaces.slice(i, i + CHUNK) as string[]), deferral(l)));
    if (s.dialect === "sqlite") {
      // A row at a time through one prepared insert: on SQLite a statement costs no round trip,
      // and building a many-row insert's SQL in drizzle cost more than running it.
      const insert = sqliteInsert(s, q);
      for (const r of rows) await insert.execute({ ...ROW_DEFAULTS, ...r, at: r.at ?? now });
      return;
    }
    for (let i = 0; i < rows.length; i += CHUNK) await upsert(s, q, rows.slice(i, i + CHUNK).map((r) => ({ ...r, at: r.at ?? now })));
  });
}

type Q = Parameters<Parameters<Store["tx"]>[0]>[0];
type Values = Store["t"]["ledger"]["$inferInsert"];

/** Insert, or update a row that is not settled yet: only a failure or a deferral is overwritten. */
function upsert(s: Store, q: Q, values: Values | Values[]) {
  const { ledger: l } = s.t;
  return q
    .insert(l)
    .values(values as Values[])
    .onConflictDoUpdate({
      target: l.key,
      set: { status: sql`excluded.status`, reason: sql`excluded.reason`, providerId: sql`excluded.provider_id`, content: sql`excluded.content`, at: sql`excluded.at` },
      // A settled row stays as it is: only a failure or a deferral is overwritten.
      setWhere: or(eq(l.status, "failed"), deferral(l)),
    });
}

const COLUMNS = ["key", "runId", "flowId", "flowVersion", "nodeId", "channel", "customerId", "profileId", "status", "reason", "content", "model", "arm", "providerId", "at"] as const;
const ROW_DEFAULTS = { customerId: null, profileId: null, reason: null, content: null, model: null, arm: null, providerId: null };
const prepared = new WeakMap<Store, { execute(values: Record<string, unknown>): PromiseLike<unknown> }>();

/** The SQLite store's one-row upsert, prepared once (its values are placeholders). */
function sqliteInsert(s: Store, q: Q) {
  let p = prepared.get(s);
  if (!p) {
    const values = Object.fromEntries(COLUMNS.map((c) => [c, sql.placeholder(c)])) as unknown as Values;
    p = upsert(s, q, values).prepare("ledger_record");
    prepared.set(s, p);
  }
  return p;
}

export function forProfile(s: Store, profileId: string, customerIds: readonly string[] = [], limit = 200): Promise<LedgerRow[]> {
  return s.use(async (q) => {
    const { ledger: l } = s.t;
    const by = customerIds.length ? sql`(${l.profileId} = ${profileId} OR ${inArray(l.customerId, customerIds as string[])})` : eq(l.profileId, profileId);
    return q.select().from(l).where(by).orderBy(desc(l.at)).limit(limit);
  });
}

/** Per node, channel and status, how many rows a run recorded. */
export function countsByRun(s: Store, runId: string): Promise<{ nodeId: string; channel: string; status: LedgerRow["status"]; n: number }[]> {
  return s.use(async (q) => {
    const { ledger: l } = s.t;
    const rows = await q
      .select({ nodeId: l.nodeId, channel: l.channel, status: l.status, n: sql<number>`count(*)` })
      .from(l)
      .where(eq(l.runId, runId))
      .groupBy(l.nodeId, l.channel, l.status);
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  });
}

export interface LedgerFilter {
  flowId?: string;
  channel?: string;
  /** Epoch ms: rows at or after it. */
  since?: number;
  limit?: number;
}

/** Ledger rows, newest first, for the ledger source node and the pages. */
export function list(s: Store, f: LedgerFilter = {}): Promise<LedgerRow[]> {
  return s.use(async (q) => {
    const { ledger: l } = s.t;
    const where = and(f.flowId ? eq(l.flowId, f.flowId) : undefined, f.channel ? eq(l.channel, f.channel) : undefined, f.since !== undefined ? gte(l.at, f.since) : undefined);
    return q.select().from(l).where(where).orderBy(desc(l.at)).limit(f.limit ?? 1_000_000);
  });
}

/** What was last synced to a destination: record key -> hash of the row as sent. */
export function syncState(s: Store, destination: string): Promise<Map<string, string>> {
  return s.use(async (q) => {
    const { syncStates: st } = s.t;
    const rows = await q.select({ key: st.recordKey, hash: st.hash }).from(st).where(eq(st.destination, destination));
    return new Map(rows.map((r) => [r.key, r.hash]));
  });
}

/** After a sync: the rows that landed (with their hashes) and the records removed from the destination. */
export function saveSyncState(s: Store, destination: string, landed: readonly { key: string; hash: string }[], removed: readonly string[]): Promise<void> {
  return s.tx(
    async (q) => {
      const { syncStates: st } = s.t;
      const now = Date.now();
      for (let i = 0; i < removed.length; i += CHUNK) await q.delete(st).where(and(eq(st.destination, destination), inArray(st.recordKey, removed.slice(i, i + CHUNK) as string[])));
      for (let i = 0; i < landed.length; i += CHUNK) {
        await q
          .insert(st)
          .values(landed.slice(i, i + CHUNK).map((r) => ({ destination, recordKey: r.key, hash: r.hash, syncedAt: now })))
          .onConflictDoUpdate({ target: [st.destination, st.recordKey], set: { hash: sql`excluded.hash`, syncedAt: sql`excluded.synced_at` } });
      }
    },
    [`sync:${destination}`],
  );
}
