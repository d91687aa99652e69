// The few figures the home page leads with: how the runs went lately, how many customers the flows
// reached, and the journeys live now. A constant number of small aggregate queries.
import { and, count, countDistinct, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import { ACTIVE_STATUSES } from "../../workflows/graph/status";
import type { Store } from "./handle";

export interface Figures {
  /** Since `since`: runs started, and of those how many failed. */
  runs: { started: number; failed: number };
  /** Since `since`: different customers at least one action reached (ledger status "sent"). */
  customersReached: number;
  /** Flows with a run queued or running now (a journey holding customers is a running run). */
  liveFlows: number;
  /** Customers held now by a wait-for-event step of a run still going. */
  waitingForEvent: number;
}

export function figures(s: Store, since: number): Promise<Figures> {
  return s.use(async (q) => {
    const { runs, ledger, waits, waiters } = s.t;
    const [started] = await q
      .select({ n: count(), failed: sql<number>`sum(case when ${runs.status} = 'failed' then 1 else 0 end)` })
      .from(runs)
      .where(gte(runs.createdAt, since));
    const [reached] = await q
      .select({ n: countDistinct(ledger.customerId) })
      .from(ledger)
      .where(and(eq(ledger.status, "sent"), gte(ledger.at, since)));
    const [live] = await q
      .select({ n: countDistinct(runs.flowId) })
      .from(runs)
      .where(inArray(runs.status, [...ACTIVE_STATUSES]));
    const [waiting] = await q
      .select({ n: count() })
      .from(waiters)
      .innerJoin(waits, eq(waiters.waitId, waits.id))
      .where(and(eq(waiters.status, "waiting"), isNull(waits.closedAt)));
    return {
      runs: { started: Number(started?.n ?? 0), failed: Number(started?.failed ?? 0) },
      customersReached: Number(reached?.n ?? 0),
      liveFlows: Number(live?.n ?? 0),
      waitingForEvent: Number(waiting?.n ?? 0),
    };
  });
}
