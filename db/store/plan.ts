// The tracking plan: a JSON Schema per event name ("$identify" for identify traits), each save a
// new version; the newest version of each name applies.
import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray, isNull, max } from "drizzle-orm";
import type { Store } from "./handle";

export type PlanRow = Store["t"]["trackingPlan"]["$inferSelect"];

/** The newest version of every entry, by event name (plans are small: every version is read). */
export function latest(s: Store): Promise<PlanRow[]> {
  return s.use(async (q) => {
    const { trackingPlan: p } = s.t;
    const rows = await q.select().from(p).orderBy(p.event, desc(p.version));
    return rows.filter((r, i) => i === 0 || rows[i - 1]!.event !== r.event);
  });
}

/** Every version of one entry, newest first. */
export function history(s: Store, event: string): Promise<PlanRow[]> {
  return s.use(async (q) => q.select().from(s.t.trackingPlan).where(eq(s.t.trackingPlan.event, event)).orderBy(desc(s.t.trackingPlan.version)));
}

export function save(s: Store, entry: { event: string; schema: Record<string, unknown>; description?: string | null; createdBy?: string | null }): Promise<PlanRow> {
  return s.tx(
    async (q) => {
      const { trackingPlan: p } = s.t;
      const [{ v }] = (await q.select({ v: max(p.version) }).from(p).where(eq(p.event, entry.event))) as [{ v: number | null }];
      const row = { id: randomUUID(), event: entry.event, version: (v ?? 0) + 1, schema: entry.schema, description: entry.description ?? null, createdBy: entry.createdBy ?? null, createdAt: Date.now() };
      return (await q.insert(p).values(row).returning())[0]!;
    },
    [`plan:${entry.event}`],
  );
}

/** Failed events not replayed yet, oldest first (for a replay). */
export function unreplayed(s: Store, opts: { sourceId?: string; ids?: string[]; limit?: number } = {}) {
  return s.use(async (q) => {
    const { failedEvents: f } = s.t;
    return q
      .select()
      .from(f)
      .where(and(isNull(f.replayedAt), opts.sourceId ? eq(f.sourceId, opts.sourceId) : undefined, opts.ids ? inArray(f.id, opts.ids) : undefined))
      .orderBy(f.receivedAt)
      .limit(opts.limit ?? 10_000);
  });
}

export function markReplayed(s: Store, ids: readonly string[], at = Date.now()): Promise<void> {
  if (!ids.length) return Promise.resolve();
  return s.use(async (q) => {
    await q.update(s.t.failedEvents).set({ replayedAt: at }).where(inArray(s.t.failedEvents.id, [...ids]));
  });
}
