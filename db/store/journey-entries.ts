// Who is in a flow's journey: entries made by its entry node under the flow's rules (re-entry,
// never twice at the same time), closed when the run they entered with ends, or when the customer
// does the flow's exit event (the inbox pump), which also takes them out of every wait of the flow.
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lte, or } from "drizzle-orm";
import type { JourneyRules as EntryRules } from "../../nodes/sdk/types";
import type { InboxRow } from "./events";
import type { Q, Store } from "./handle";

const CHUNK = 500;
const EXITS = "exits";

export type JourneyRule = Store["t"]["journeyRules"]["$inferSelect"];

const chunks = <T>(xs: readonly T[]) => Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

/**
 * Records the flow's rules and enters the customers the rules let in, with `runId`. Returns, per
 * customer, null (entered, also on a retry of the same run) or why not.
 */
export function enter(s: Store, flowId: string, runId: string, rules: EntryRules, customers: readonly { customerId: string; profileId: string | null }[]): Promise<Map<string, string | null>> {
  return s.tx(
    async (q) => {
      const { journeyRules: r, journeyEntries: e } = s.t;
      const now = Date.now();
      const rule = { exitEvent: rules.exit?.event ?? null, exitConditions: (rules.exit?.conditions ?? []) as JourneyRule["exitConditions"], exitMatch: rules.exit?.match ?? "all", updatedAt: now };
      await q.insert(r).values({ flowId, ...rule }).onConflictDoUpdate({ target: r.flowId, set: rule });
      const before = new Map<string, { open: boolean; last: number; same: boolean }>();
      for (const part of chunks(customers.map((c) => c.customerId))) {
        for (const row of await q.select().from(e).where(and(eq(e.flowId, flowId), inArray(e.customerId, part)))) {
          const b = before.get(row.customerId) ?? { open: false, last: 0, same: false };
          if (row.runId === runId) b.same = true;
          else {
            b.open ||= row.exitedAt === null;
            b.last = Math.max(b.last, row.enteredAt);
          }
          before.set(row.customerId, b);
        }
      }
      const out = new Map<string, string | null>();
      const admitted: (typeof e.$inferInsert)[] = [];
      for (const c of customers) {
        const b = before.get(c.customerId);
        let reason: string | null = null;
        if (b && !b.same) {
          if (b.open && !rules.concurrent) reason = "already in the journey";
          else if (rules.reentry === "never") reason = "entered before";
          else if (rules.reentry === "after" && now - b.last < rules.afterDays * 86_400_000) reason = `entered within ${rules.afterDays} days`;
        }
        out.set(c.customerId, reason);
        if (!reason && !b?.same) admitted.push({ flowId, customerId: c.customerId, runId, profileId: c.profileId, enteredAt: now, exitedAt: null, exitReason: null });
      }
      for (const part of chunks(admitted)) await q.insert(e).values(part).onConflictDoNothing();
      return out;
    },
    [`journey:${flowId}`],
  );
}

/** The flows whose journeys have an exit event. */
export function exitRules(s: Store): Promise<JourneyRule[]> {
  return s.use(async (q) => q.select().from(s.t.journeyRules).where(isNotNull(s.t.journeyRules.exitEvent)));
}

/**
 * Takes customers (by id or profile) out of a flow's journey: their open entries close with
 * `reason`, and they leave every wait of the flow they are still in. Inside the caller's transaction.
 */
export async function leave(q: Q, s: Store, flowId: string, who: { customerIds: string[]; profileIds: string[]; at: number }, reason: string): Promise<number> {
  const { journeyEntries: e, waits, waiters } = s.t;
  const now = Date.now();
  const match = (customer: typeof e.customerId | typeof waiters.customerId, profile: typeof e.profileId | typeof waiters.profileId) =>
    or(who.customerIds.length ? inArray(customer, who.customerIds) : undefined, who.profileIds.length ? inArray(profile, who.profileIds) : undefined);
  if (!who.customerIds.length && !who.profileIds.length) return 0;
  const left = await q
    .update(e)
    .set({ exitedAt: now, exitReason: reason })
    // Only journeys they were in when they did it (the pump may read an event after a later entry).
    .where(and(eq(e.flowId, flowId), isNull(e.exitedAt), lte(e.enteredAt, who.at), match(e.customerId, e.profileId)))
    .returning({ id: e.customerId });
  const open = (await q.select({ id: waits.id }).from(waits).where(and(eq(waits.flowId, flowId), isNull(waits.closedAt), lte(waits.since, who.at)))).map((w) => w.id);
  if (open.length) {
    await q
      .update(waiters)
      .set({ status: "left" })
      .where(and(inArray(waiters.waitId, open), inArray(waiters.status, ["waiting", "released"]), match(waiters.customerId, waiters.profileId)));
  }
  return left.length;
}

/** Closes the entries made with a run once it has ended (inside the caller's transaction). */
export async function close(q: Q, s: Store, runId: string): Promise<void> {
  const { journeyEntries: e } = s.t;
  await q.update(e).set({ exitedAt: Date.now(), exitReason: "completed" }).where(and(eq(e.runId, runId), isNull(e.exitedAt)));
}

/** Of these customers, those whose latest entry in the flow ended by the exit event. */
export function exited(s: Store, flowId: string, customerIds: readonly string[]): Promise<Set<string>> {
  return s.use(async (q) => {
    const { journeyEntries: e } = s.t;
    const latest = new Map<string, { at: number; left: boolean }>();
    for (const part of chunks(customerIds)) {
      const rows = await q.select().from(e).where(and(eq(e.flowId, flowId), inArray(e.customerId, part))).orderBy(desc(e.enteredAt));
      for (const r of rows) if (!latest.has(r.customerId)) latest.set(r.customerId, { at: r.enteredAt, left: r.exitedAt !== null && (r.exitReason ?? "").startsWith("left") });
    }
    return new Set([...latest].filter(([, v]) => v.left).map(([k]) => k));
  });
}

/**
 * Reads the events after the exits cursor (up to `upTo`, at most `limit`), lets `decide` say who
 * leaves which flow's journey, takes them out and moves the cursor, in one transaction. Returns
 * how many entries closed.
 */
export function exitPass(
  s: Store,
  upTo: number,
  limit: number,
  decide: (events: InboxRow[]) => Promise<{ flowId: string; customerIds: string[]; profileIds: string[]; at: number; reason: string }[]>,
): Promise<number> {
  return s.tx(
    async (q) => {
      const { inboxCursors: c, inbox } = s.t;
      const from = Number((await q.select().from(c).where(eq(c.name, EXITS)))[0]?.position ?? 0);
      if (from >= upTo) return 0;
      const events = (await q.select().from(inbox).where(gt(inbox.position, from)).orderBy(asc(inbox.position)).limit(limit)).filter((e) => e.position <= upTo);
      const position = events.length ? events[events.length - 1]!.position : upTo;
      let left = 0;
      for (const d of await decide(events)) left += await leave(q, s, d.flowId, d, d.reason);
      const now = Date.now();
      await q.insert(c).values({ name: EXITS, position, updatedAt: now }).onConflictDoUpdate({ target: c.name, set: { position, updatedAt: now } });
      return left;
    },
    [EXITS],
  );
}
