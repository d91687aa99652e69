// Triggers: what starts each flow (registered when a version is saved), the cohorts of trigger data
// that become runs, audience memberships, webhook endpoints, and named cursors over the inbox.
// Cohorts are decided in one transaction with the cursor they advance (compare-and-set), so any
// number of worker processes can run the inbox pump: a cohort is decided once, and its id (the
// run's id) is derived from the inbox positions it spans.
import { and, asc, eq, gt, inArray, isNull, max, sql } from "drizzle-orm";
import type { TriggerKind } from "../../workflows/graph/plan";
import { applyEvents } from "./profiles";
import type { InboxRow } from "./events";
import type { Q, Store } from "./handle";

export type TriggerRow = Store["t"]["triggers"]["$inferSelect"];
export type CohortRow = Store["t"]["cohorts"]["$inferSelect"];
export type WebhookEndpointRow = Store["t"]["webhookEndpoints"]["$inferSelect"];
export type NewCohort = Omit<CohortRow, "createdAt" | "startedAt" | "error" | "flowId" | "flowVersionId" | "nodeId" | "kind">;

const lock = (flowId: string) => `trigger:${flowId}`;

async function lastPosition(q: Q, s: Store): Promise<number> {
  const [row] = await q.select({ p: max(s.t.inbox.position) }).from(s.t.inbox);
  return Number(row?.p ?? 0);
}

/**
 * Records the trigger of a flow's newly saved version (or removes it when the version has none).
 * A new event trigger starts at the end of the inbox: saving a flow does not replay history. A
 * changed trigger of the same kind keeps its place.
 */
export function register(s: Store, flowId: string, t: { flowVersionId: string; nodeId: string; kind: TriggerKind; config: Record<string, unknown> } | null): Promise<void> {
  return s.tx(
    async (q) => {
      const { triggers } = s.t;
      const [old] = await q.select().from(triggers).where(eq(triggers.flowId, flowId));
      if (!t) {
        if (old) await q.delete(triggers).where(eq(triggers.flowId, flowId));
        return;
      }
      const now = Date.now();
      if (old && old.kind === t.kind) {
        await q.update(triggers).set({ flowVersionId: t.flowVersionId, nodeId: t.nodeId, config: t.config, updatedAt: now }).where(eq(triggers.flowId, flowId));
        return;
      }
      if (old) await q.delete(triggers).where(eq(triggers.flowId, flowId));
      if (t.kind === "audience") await q.delete(s.t.audienceMembers).where(eq(s.t.audienceMembers.flowId, flowId));
      await q.insert(triggers).values({ flowId, ...t, position: await lastPosition(q, s), evaluations: 0, evaluatedAt: null, updatedAt: now });
    },
    [lock(flowId)],
  );
}

export function list(s: Store, kinds?: readonly TriggerKind[]): Promise<TriggerRow[]> {
  return s.use(async (q) => q.select().from(s.t.triggers).where(kinds ? inArray(s.t.triggers.kind, [...kinds]) : undefined));
}

export function forFlow(s: Store, flowId: string): Promise<TriggerRow | null> {
  return s.use(async (q) => (await q.select().from(s.t.triggers).where(eq(s.t.triggers.flowId, flowId)))[0] ?? null);
}

/** Inbox rows after a position, in order (the pump's read). */
export function inboxAfter(s: Store, after: number, limit: number): Promise<InboxRow[]> {
  return s.use(async (q) => q.select().from(s.t.inbox).where(gt(s.t.inbox.position, after)).orderBy(asc(s.t.inbox.position)).limit(limit));
}

export function inboxAt(s: Store, positions: readonly number[]): Promise<InboxRow[]> {
  return s.use(async (q) => {
    const out: InboxRow[] = [];
    for (let n = 0; n < positions.length; n += 500) {
      out.push(...(await q.select().from(s.t.inbox).where(inArray(s.t.inbox.position, positions.slice(n, n + 500) as number[]))));
    }
    return out.sort((a, b) => a.position - b.position);
  });
}

export function cursor(s: Store, name: string): Promise<number> {
  return s.use(async (q) => Number((await q.select().from(s.t.inboxCursors).where(eq(s.t.inboxCursors.name, name)))[0]?.position ?? 0));
}

/**
 * Applies the events after the profile cursor (at most `limit`) to profiles and advances the
 * cursor, in one transaction; returns the new position. Runs in every pump, one at a time.
 */
export function applyProfiles(s: Store, limit = 1000): Promise<{ position: number; applied: number }> {
  return s.tx(
    async (q) => {
      const { inboxCursors: c, inbox } = s.t;
      const name = "profiles";
      const from = Number((await q.select().from(c).where(eq(c.name, name)))[0]?.position ?? 0);
      const events = await q.select().from(inbox).where(gt(inbox.position, from)).orderBy(asc(inbox.position)).limit(limit);
      if (!events.length) return { position: from, applied: 0 };
      const applied = await applyEvents(q, s, events);
      const position = events[events.length - 1]!.position;
      const now = Date.now();
      await q.insert(c).values({ name, position, updatedAt: now }).onConflictDoUpdate({ target: c.name, set: { position, updatedAt: now } });
      return { position, applied };
    },
    ["profiles"],
  );
}

/**
 * Advances a trigger from `expected` to `to` and records the cohort (if any) in one transaction.
 * False when another pump moved the trigger first (the caller reads again) or the trigger changed.
 */
export function decide(s: Store, t: Pick<TriggerRow, "flowId" | "flowVersionId" | "nodeId" | "kind">, expected: number, to: number, cohort: NewCohort | null, extra: Partial<Pick<TriggerRow, "evaluatedAt" | "evaluations">> = {}): Promise<boolean> {
  return s.tx(
    async (q) => {
      const { triggers, cohorts } = s.t;
      const moved = await q
        .update(triggers)
        .set({ position: to, updatedAt: Date.now(), ...extra })
        .where(and(eq(triggers.flowId, t.flowId), eq(triggers.position, expected), eq(triggers.kind, t.kind)))
        .returning({ flowId: triggers.flowId });
      if (!moved.length) return false;
      if (cohort) {
        await q
          .insert(cohorts)
          .values({ ...cohort, flowId: t.flowId, flowVersionId: t.flowVersionId, nodeId: t.nodeId, kind: t.kind, createdAt: Date.now() })
          .onConflictDoNothing();
      }
      return true;
    },
    [lock(t.flowId)],
  );
}

/** Cohorts whose run has not been started yet, oldest first. */
export function pendingCohorts(s: Store, limit = 100): Promise<CohortRow[]> {
  return s.use(async (q) => q.select().from(s.t.cohorts).where(isNull(s.t.cohorts.startedAt)).orderBy(asc(s.t.cohorts.createdAt)).limit(limit));
}

export function markStarted(s: Store, id: string, error: string | null = null): Promise<void> {
  return s.use(async (q) => {
    await q.update(s.t.cohorts).set({ startedAt: Date.now(), error }).where(eq(s.t.cohorts.id, id));
  });
}

export function cohort(s: Store, id: string): Promise<CohortRow | null> {
  return s.use(async (q) => (await q.select().from(s.t.cohorts).where(eq(s.t.cohorts.id, id)))[0] ?? null);
}

export function cohortsOf(s: Store, flowId: string): Promise<CohortRow[]> {
  return s.use(async (q) => q.select().from(s.t.cohorts).where(eq(s.t.cohorts.flowId, flowId)).orderBy(asc(s.t.cohorts.createdAt)));
}

/** Who was in the flow's audience at its last evaluation. */
export function audience(s: Store, flowId: string): Promise<Set<string>> {
  return s.use(async (q) => new Set((await q.select({ id: s.t.audienceMembers.profileId }).from(s.t.audienceMembers).where(eq(s.t.audienceMembers.flowId, flowId))).map((r) => r.id)));
}

/**
 * An audience evaluation: records who entered and left, advances the trigger's evaluation count
 * (compare-and-set on it) and records the cohort, in one transaction.
 */
export function evaluated(s: Store, t: TriggerRow, entered: readonly string[], left: readonly string[], cohort: NewCohort | null): Promise<boolean> {
  return s.tx(
    async (q) => {
      const { triggers, audienceMembers: m, cohorts } = s.t;
      const now = Date.now();
      const moved = await q
        .update(triggers)
        .set({ evaluations: t.evaluations + 1, evaluatedAt: now, updatedAt: now })
        .where(and(eq(triggers.flowId, t.flowId), eq(triggers.evaluations, t.evaluations), eq(triggers.kind, "audience")))
        .returning({ flowId: triggers.flowId });
      if (!moved.length) return false;
      for (let n = 0; n < left.length; n += 500) await q.delete(m).where(and(eq(m.flowId, t.flowId), inArray(m.profileId, left.slice(n, n + 500) as string[])));
      for (let n = 0; n < entered.length; n += 500) {
        await q
          .insert(m)
          .values(entered.slice(n, n + 500).map((profileId) => ({ flowId: t.flowId, profileId, since: now })))
          .onConflictDoNothing();
      }
      if (cohort) await q.insert(cohorts).values({ ...cohort, flowId: t.flowId, flowVersionId: t.flowVersionId, nodeId: t.nodeId, kind: t.kind, createdAt: now }).onConflictDoNothing();
      return true;
    },
    [lock(t.flowId)],
  );
}

export function webhookEndpoint(s: Store, flowId: string): Promise<WebhookEndpointRow | null> {
  return s.use(async (q) => (await q.select().from(s.t.webhookEndpoints).where(eq(s.t.webhookEndpoints.flowId, flowId)))[0] ?? null);
}

/** Sets (replacing) a flow's webhook credentials: a sealed signing secret and/or a token hash. */
export function setWebhookEndpoint(s: Store, row: Omit<WebhookEndpointRow, "createdAt">): Promise<void> {
  return s.use(async (q) => {
    const w = s.t.webhookEndpoints;
    const values = { ...row, createdAt: Date.now() };
    await q.insert(w).values(values).onConflictDoUpdate({ target: w.flowId, set: values });
  });
}

export function removeFlow(s: Store, flowId: string): Promise<void> {
  return s.tx(async (q) => {
    await q.delete(s.t.triggers).where(eq(s.t.triggers.flowId, flowId));
    await q.delete(s.t.audienceMembers).where(eq(s.t.audienceMembers.flowId, flowId));
    await q.delete(s.t.webhookEndpoints).where(eq(s.t.webhookEndpoints.flowId, flowId));
    await q.delete(s.t.cohorts).where(and(eq(s.t.cohorts.flowId, flowId), isNull(s.t.cohorts.startedAt)));
  });
}

/** How many cohorts a flow had, and how many events or customers they carried. */
export function cohortTotals(s: Store, flowId: string): Promise<{ cohorts: number; members: number }> {
  return s.use(async (q) => {
    const [r] = await q.select({ n: sql<number>`count(*)`, m: sql<number>`coalesce(sum(${s.t.cohorts.size}), 0)` }).from(s.t.cohorts).where(eq(s.t.cohorts.flowId, flowId));
    return { cohorts: Number(r?.n ?? 0), members: Number(r?.m ?? 0) };
  });
}
