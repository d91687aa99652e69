// Wait-for-event steps: the customers a run holds until their event (or the step's time runs out).
// The inbox pump releases them in the transaction that moves its "waits" cursor, so an event
// releases a customer once; the run takes the released (and, at the deadline, the timed-out)
// customers with compare-and-set updates, so a retried step never takes anyone twice.
import { and, asc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import type { InboxRow } from "./events";
import type { Store } from "./handle";

export type WaitRow = Store["t"]["waits"]["$inferSelect"];
export type WaiterStatus = Store["t"]["waiters"]["$inferSelect"]["status"];

const CHUNK = 500;
const CURSOR = "waits";

/** Registers a wait and its customers (again on a retry: what is there already stays as it is). */
export function hold(s: Store, wait: Omit<WaitRow, "closedAt">, customers: readonly { customerId: string; profileId: string | null }[]): Promise<void> {
  return s.tx(async (q) => {
    await q.insert(s.t.waits).values({ ...wait, closedAt: null }).onConflictDoNothing();
    for (let i = 0; i < customers.length; i += CHUNK) {
      const part = customers.slice(i, i + CHUNK).map((c) => ({ waitId: wait.id, customerId: c.customerId, profileId: c.profileId, status: "waiting" as const, releasedAt: null, part: null, position: null }));
      await q.insert(s.t.waiters).values(part).onConflictDoNothing();
    }
  });
}

/** Closes a wait whose run is gone (cancelled, terminated): nobody will take its customers. */
export function close(s: Store, waitId: string): Promise<void> {
  return s.use(async (q) => {
    await q.update(s.t.waits).set({ closedAt: Date.now() }).where(and(eq(s.t.waits.id, waitId), isNull(s.t.waits.closedAt)));
  });
}

export function open(s: Store): Promise<WaitRow[]> {
  return s.use(async (q) => q.select().from(s.t.waits).where(isNull(s.t.waits.closedAt)));
}

/**
 * Reads the events after the waits cursor (up to `upTo`, at most `limit`), lets `decide` say which
 * waits' customers (by profile) they release, releases those still waiting and moves the cursor,
 * in one transaction. Returns the waits that released someone.
 */
export function release(
  s: Store,
  upTo: number,
  limit: number,
  decide: (events: InboxRow[]) => Promise<{ waitId: string; profileId: string | null; customerIds: string[]; position: number }[]>,
): Promise<string[]> {
  return s.tx(
    async (q) => {
      const { inboxCursors: c, inbox, waiters } = s.t;
      const from = Number((await q.select().from(c).where(eq(c.name, CURSOR)))[0]?.position ?? 0);
      if (from >= upTo) return [];
      const events = (await q.select().from(inbox).where(gt(inbox.position, from)).orderBy(asc(inbox.position)).limit(limit)).filter((e) => e.position <= upTo);
      const position = events.length ? events[events.length - 1]!.position : upTo;
      const released = new Set<string>();
      const now = Date.now();
      // Per wait, the profiles and ids the events came from: a few IN-list updates, not one per event.
      const byWait = new Map<string, { profiles: Set<string>; ids: Set<string>; position: number }>();
      for (const r of await decide(events)) {
        const w = byWait.get(r.waitId) ?? { profiles: new Set(), ids: new Set(), position: 0 };
        if (r.profileId) w.profiles.add(r.profileId);
        for (const id of r.customerIds) w.ids.add(id);
        w.position = Math.max(w.position, r.position);
        byWait.set(r.waitId, w);
      }
      for (const [waitId, w] of byWait) {
        // By profile (any of their ids), or by the id they were held under (no profile then, or merged since).
        for (const [col, values] of [[waiters.profileId, [...w.profiles]], [waiters.customerId, [...w.ids]]] as const) {
          for (let i = 0; i < values.length; i += CHUNK) {
            const moved = await q
              .update(waiters)
              .set({ status: "released", releasedAt: now, position: w.position })
              .where(and(eq(waiters.waitId, waitId), eq(waiters.status, "waiting"), inArray(col, values.slice(i, i + CHUNK))))
              .returning({ customerId: waiters.customerId });
            if (moved.length) released.add(waitId);
          }
        }
      }
      await q.insert(c).values({ name: CURSOR, position, updatedAt: now }).onConflictDoUpdate({ target: c.name, set: { position, updatedAt: now } });
      return [...released];
    },
    [CURSOR],
  );
}

/** Waits with customers released before `before` and not yet taken (their run missed a signal). */
export function unclaimed(s: Store, before: number): Promise<Pick<WaitRow, "id" | "workflowId" | "nodeId" | "since">[]> {
  return s.use(async (q) => {
    const { waits, waiters } = s.t;
    return q
      .selectDistinct({ id: waits.id, workflowId: waits.workflowId, nodeId: waits.nodeId, since: waits.since })
      .from(waiters)
      .innerJoin(waits, eq(waits.id, waiters.waitId))
      .where(and(eq(waiters.status, "released"), lt(waiters.releasedAt, before)));
  });
}

/**
 * The run takes its customers: those released so far, or (`timed out`) everyone still waiting,
 * which closes the wait. `part` numbers the run's takes: a retried take returns the customers the
 * first attempt took, and nobody is taken twice.
 */
export function take(s: Store, waitId: string, what: "released" | "timed out", part: number): Promise<string[]> {
  return s.tx(async (q) => {
    const { waits, waiters } = s.t;
    const status = what === "released" ? "taken" : "timed out";
    await q
      .update(waiters)
      .set({ status, part })
      .where(and(eq(waiters.waitId, waitId), eq(waiters.status, what === "released" ? "released" : "waiting")));
    // Released but not yet taken ones stay for the run's last release; the pump releases no one after this.
    if (what === "timed out") await q.update(waits).set({ closedAt: Date.now() }).where(and(eq(waits.id, waitId), isNull(waits.closedAt)));
    const rows = await q.select({ id: waiters.customerId }).from(waiters).where(and(eq(waiters.waitId, waitId), eq(waiters.part, part), eq(waiters.status, status)));
    return rows.map((r) => r.id);
  });
}

/** Per wait of a run: customers by status (waiting now, released, taken on, timed out). */
export function counts(s: Store, runIds: readonly string[]): Promise<{ runId: string; nodeId: string; status: WaiterStatus; n: number }[]> {
  if (!runIds.length) return Promise.resolve([]);
  return s.use(async (q) => {
    const { waits, waiters } = s.t;
    const rows = await q
      .select({ runId: waits.runId, nodeId: waits.nodeId, status: waiters.status, n: sql<number>`count(*)` })
      .from(waiters)
      .innerJoin(waits, eq(waits.id, waiters.waitId))
      .where(inArray(waits.runId, runIds as string[]))
      .groupBy(waits.runId, waits.nodeId, waiters.status);
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  });
}

export { nodeCounts, type LiveVersion, type NodeCount } from "./journey-counts";
