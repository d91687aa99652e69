// A flow's conversion goal (the event that counts, within the attribution window after a decision)
// and what the flow's results are computed from: its decisions in the ledger, in a lean shape.
import { asc, eq } from "drizzle-orm";
import { FlowNotFoundError } from "./flows";
import type { Store } from "./handle";

export type GoalRow = Store["t"]["flowGoals"]["$inferSelect"];
export type Goal = Omit<GoalRow, "flowId" | "updatedAt">;

export function get(s: Store, flowId: string): Promise<GoalRow | null> {
  return s.use(async (q) => (await q.select().from(s.t.flowGoals).where(eq(s.t.flowGoals.flowId, flowId)))[0] ?? null);
}

/** Sets (or replaces) the flow's goal; FlowNotFoundError when there is no such flow. */
export function save(s: Store, flowId: string, goal: Goal, at = Date.now()): Promise<GoalRow> {
  return s.tx(async (q) => {
    const { flows, flowGoals } = s.t;
    if (!(await q.select({ id: flows.id }).from(flows).where(eq(flows.id, flowId))).length) throw new FlowNotFoundError(flowId);
    const row = { flowId, ...goal, updatedAt: at };
    const [saved] = await q
      .insert(flowGoals)
      .values(row)
      .onConflictDoUpdate({ target: flowGoals.flowId, set: { event: row.event, conditions: row.conditions, match: row.match, windowDays: row.windowDays, updatedAt: at } })
      .returning();
    return saved!;
  });
}

/** Removes the flow's goal; false when it had none. */
export function remove(s: Store, flowId: string): Promise<boolean> {
  return s.use(async (q) => (await q.delete(s.t.flowGoals).where(eq(s.t.flowGoals.flowId, flowId)).returning({ id: s.t.flowGoals.flowId })).length > 0);
}

export interface Decision {
  customerId: string | null;
  profileId: string | null;
  nodeId: string;
  channel: string;
  arm: string | null;
  at: number;
}

/** Every decision of the flow in the ledger (sent, suppressed or failed: whatever was decided), oldest first. */
export function decisions(s: Store, flowId: string): Promise<Decision[]> {
  return s.use(async (q) => {
    const { ledger: l } = s.t;
    return q
      .select({ customerId: l.customerId, profileId: l.profileId, nodeId: l.nodeId, channel: l.channel, arm: l.arm, at: l.at })
      .from(l)
      .where(eq(l.flowId, flowId))
      .orderBy(asc(l.at));
  });
}
