// Which inbox events a trigger takes, and when its waiting events become a cohort. Pure: the pump
// calls it with what it read, and the tests call it with hand-made events.
import type { InboxRow } from "../../db/store/events";
import type { NewCohort, TriggerRow } from "../../db/store/triggers";
import { passes, readsTraits, type Condition } from "../../nodes/trigger/conditions";

export interface EventTriggerConfig {
  event?: string;
  type?: string;
  conditions?: Condition[];
  match?: "all" | "any";
  cohortSeconds?: number;
  cohortSize?: number;
}

/** Source id of the inbox rows a flow's webhook calls become. */
export const webhookSource = (flowId: string) => `webhook:${flowId}`;
/** Source id of the inbox rows uploads to a drop become. */
export const dropSource = (drop: string) => `drop:${drop}`;

/** Does the trigger take this event? `traitsOf` gives the sender's profile traits (only asked when a condition reads them). */
export function takes(t: Pick<TriggerRow, "kind" | "flowId" | "config">, e: InboxRow, traitsOf: (e: InboxRow) => Record<string, unknown> | undefined): boolean {
  if (t.kind === "webhook") return e.type === "webhook" && e.sourceId === webhookSource(t.flowId);
  if (t.kind === "upload") return e.type === "upload" && e.sourceId === dropSource(String(t.config.drop ?? ""));
  if (t.kind !== "event") return false;
  const c = t.config as EventTriggerConfig;
  if (e.type !== (c.type ?? "track")) return false;
  if (c.event && e.event !== c.event) return false;
  const conds = c.conditions ?? [];
  if (!conds.length) return true;
  const p = e.payload ?? {};
  const properties = e.type === "identify" ? p.traits : p.properties;
  return passes(conds, c.match ?? "all", { properties, traits: readsTraits(conds) ? (traitsOf(e) ?? {}) : undefined });
}

export type Decision = { kind: "wait" } | { kind: "advance"; to: number } | { kind: "cohort"; to: number; cohort: NewCohort };

/**
 * What to do with the events read after the trigger's position: wait for more, move past events
 * it does not take, or close a cohort (when it is full, or its first event has waited long enough).
 * The cohort's id, which is its run's id, is made of the inbox positions it spans.
 */
export function decide(t: Pick<TriggerRow, "kind" | "flowId" | "config" | "position">, read: readonly InboxRow[], taken: readonly InboxRow[], now: number): Decision {
  if (!read.length) return { kind: "wait" };
  const c = t.config as EventTriggerConfig;
  // Each upload is a run of its own.
  const size = t.kind === "upload" ? 1 : Math.max(1, c.cohortSize ?? 1000);
  const windowMs = t.kind === "upload" ? 0 : Math.max(100, (c.cohortSeconds ?? 1) * 1000);
  if (!taken.length) return { kind: "advance", to: read[read.length - 1]!.position };
  let members: readonly InboxRow[];
  let to: number;
  if (taken.length >= size) {
    members = taken.slice(0, size);
    to = members[members.length - 1]!.position;
  } else if (now - taken[0]!.receivedAt >= windowMs) {
    members = taken;
    to = read[read.length - 1]!.position;
  } else {
    return { kind: "wait" };
  }
  const from = t.position + 1;
  return {
    kind: "cohort",
    to,
    cohort: {
      id: `${t.flowId}-${from}-${to}`,
      members: members.map((e) => e.position),
      detail: null,
      size: members.length,
      firstAt: Math.min(...members.map((e) => e.receivedAt)),
      lastAt: Math.max(...members.map((e) => e.receivedAt)),
    },
  };
}
