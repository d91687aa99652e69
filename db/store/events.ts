// Events in: sources (write keys as hashes), the inbox, failed events. The ingest process commits
// each request's events here, in one transaction, before it answers.
import { randomUUID } from "node:crypto";
import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lte, sql } from "drizzle-orm";
import { AppError, NotFound } from "../../lib/errors";
import type { Q, Store } from "./handle";

export type SourceRow = Store["t"]["sources"]["$inferSelect"];
export type InboxRow = Store["t"]["inbox"]["$inferSelect"];
export type NewInboxRow = Omit<InboxRow, "position" | "unplanned"> & { unplanned?: boolean };
export type FailedEventRow = Store["t"]["failedEvents"]["$inferSelect"];
export type NewFailedEvent = Omit<FailedEventRow, "id" | "replayedAt">;

export class SourceNameTaken extends AppError {
  constructor(name: string) {
    super("CONFLICT", `A source named "${name}" already exists; choose another name`);
  }
}

export function createSource(s: Store, row: Omit<SourceRow, "id" | "createdAt" | "revokedAt" | "unplanned"> & Partial<Pick<SourceRow, "unplanned">>): Promise<SourceRow> {
  return s.tx(
    async (q) => {
      const { sources } = s.t;
      if ((await q.select({ id: sources.id }).from(sources).where(eq(sources.name, row.name))).length) throw new SourceNameTaken(row.name);
      return (await q.insert(sources).values({ id: randomUUID(), createdAt: Date.now(), ...row }).returning())[0]!;
    },
    [`source:${row.name}`],
  );
}

export function listSources(s: Store): Promise<SourceRow[]> {
  return s.use(async (q) => q.select().from(s.t.sources).orderBy(asc(s.t.sources.name)));
}

/** The source whose write key hashes to this, revoked or not (the caller says why a revoked one is refused). */
export function sourceByKeyHash(s: Store, writeKeyHash: string): Promise<SourceRow | null> {
  return s.use(async (q) => (await q.select().from(s.t.sources).where(eq(s.t.sources.writeKeyHash, writeKeyHash)))[0] ?? null);
}

export function revokeSource(s: Store, id: string, at = Date.now()): Promise<SourceRow> {
  return s.use(async (q) => {
    const { sources } = s.t;
    const [row] = await q.update(sources).set({ revokedAt: at }).where(and(eq(sources.id, id), isNull(sources.revokedAt))).returning();
    if (!row) throw new NotFound(`No active source "${id}"`);
    return row;
  });
}

export function setUnplanned(s: Store, id: string, unplanned: SourceRow["unplanned"]): Promise<SourceRow> {
  return s.use(async (q) => {
    const [row] = await q.update(s.t.sources).set({ unplanned }).where(eq(s.t.sources.id, id)).returning();
    if (!row) throw new NotFound(`No source "${id}"`);
    return row;
  });
}

/** Rows per INSERT: well under SQLite's limit of bound parameters. */
const CHUNK = 500;

export interface CommitGroup {
  events: readonly NewInboxRow[];
  failed?: readonly NewFailedEvent[];
}

/**
 * Commits several requests' events (accepted and failed) in one transaction, one fsync for all.
 * An event whose (source, messageId) is already in the inbox is not stored again. Returns, per
 * group, how many were new and how many were duplicates.
 */
export function commit(s: Store, groups: readonly CommitGroup[]): Promise<{ stored: number; duplicates: number }[]> {
  return s.tx(async (q) => {
    const { inbox, failedEvents } = s.t;
    const results: { stored: number; duplicates: number }[] = [];
    for (const g of groups) {
      let stored = 0;
      for (let i = 0; i < g.events.length; i += CHUNK) {
        const done = await q
          .insert(inbox)
          .values(g.events.slice(i, i + CHUNK) as (typeof inbox.$inferInsert)[])
          .onConflictDoNothing({ target: [inbox.sourceId, inbox.messageId] })
          .returning({ position: inbox.position });
        stored += done.length;
      }
      const failed = await notYetFailed(q, s, g.failed ?? []);
      for (let i = 0; i < failed.length; i += CHUNK) await q.insert(failedEvents).values(failed.slice(i, i + CHUNK).map((f) => ({ id: randomUUID(), ...f })));
      results.push({ stored, duplicates: g.events.length - stored });
    }
    return results;
    // One commit at a time, in every process: positions then become visible in the order they were
    // given (on PostgreSQL a later position could otherwise commit first), so a reader that has
    // seen position N has seen everything before it.
  }, ["inbox"]);
}

/**
 * The failed events not already kept: a sender retrying a request (after a 429, a timeout) sends
 * its failing events again, and each failure is kept once, as each accepted event is.
 */
async function notYetFailed(q: Q, s: Store, failed: readonly NewFailedEvent[]): Promise<NewFailedEvent[]> {
  const withId = failed.filter((f) => f.messageId);
  if (!withId.length) return [...failed];
  const { failedEvents: fe } = s.t;
  const seen = new Set<string>();
  const bySource = new Map<string, NewFailedEvent[]>();
  for (const f of withId) bySource.set(f.sourceId, [...(bySource.get(f.sourceId) ?? []), f]);
  for (const [sourceId, list] of bySource) {
    const ids = [...new Set(list.map((f) => f.messageId!))];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await q
        .select({ messageId: fe.messageId })
        .from(fe)
        .where(and(eq(fe.sourceId, sourceId), inArray(fe.messageId, ids.slice(i, i + CHUNK)), isNull(fe.replayedAt)));
      for (const r of rows) seen.add(`${sourceId}\u0000${r.messageId}`);
    }
  }
  const out: NewFailedEvent[] = [];
  for (const f of failed) {
    const key = `${f.sourceId}\u0000${f.messageId}`;
    if (f.messageId && seen.has(key)) continue;
    if (f.messageId) seen.add(key); // the same id twice in one request: kept once
    out.push(f);
  }
  return out;
}

export function inboxCount(s: Store, sourceId?: string): Promise<number> {
  return s.use(async (q) => (await q.select({ n: count() }).from(s.t.inbox).where(sourceId ? eq(s.t.inbox.sourceId, sourceId) : undefined))[0]!.n);
}

/** Inbox rows after a position, in order. */
export function readInbox(s: Store, after = 0, limit = 1000): Promise<InboxRow[]> {
  return s.use(async (q) => q.select().from(s.t.inbox).where(gt(s.t.inbox.position, after)).orderBy(asc(s.t.inbox.position)).limit(limit));
}

export interface TrackFilter {
  event: string;
  /** Epoch ms: events at or after it, and at or before `until`. */
  since?: number;
  until?: number;
  /** Inbox position to read after (paging). */
  after?: number;
  limit?: number;
}

/**
 * Track events of one name, in inbox order, each with the profile its userId (else anonymousId)
 * belongs to now, found in the same query. Paged by position, so reading them all is one pass over the inbox.
 */
export function trackEvents(s: Store, f: TrackFilter): Promise<(InboxRow & { profileId: string | null })[]> {
  return s.use(async (q) => {
    const { inbox: e, identities: i } = s.t;
    const profileOf = (value: typeof e.userId | typeof e.anonymousId) => sql`(select ${i.profileId} from ${i} where ${i.value} = ${value} limit 1)`;
    return q
      .select({
        position: e.position,
        sourceId: e.sourceId,
        messageId: e.messageId,
        type: e.type,
        event: e.event,
        userId: e.userId,
        anonymousId: e.anonymousId,
        timestamp: e.timestamp,
        receivedAt: e.receivedAt,
        payload: e.payload,
        unplanned: e.unplanned,
        profileId: sql<string | null>`coalesce(${profileOf(e.userId)}, ${profileOf(e.anonymousId)})`,
      })
      .from(e)
      .where(
        and(
          eq(e.type, "track"),
          eq(e.event, f.event),
          gt(e.position, f.after ?? 0),
          f.since !== undefined ? gte(e.timestamp, f.since) : undefined,
          f.until !== undefined ? lte(e.timestamp, f.until) : undefined,
        ),
      )
      .orderBy(asc(e.position))
      .limit(f.limit ?? 5000);
  });
}

export function listFailed(s: Store, opts: { sourceId?: string; limit?: number } = {}): Promise<FailedEventRow[]> {
  return s.use(async (q) => {
    const { failedEvents: f } = s.t;
    return q
      .select()
      .from(f)
      .where(opts.sourceId ? eq(f.sourceId, opts.sourceId) : undefined)
      .orderBy(desc(f.receivedAt))
      .limit(opts.limit ?? 200);
  });
}
