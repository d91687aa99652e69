// A flow's conversion goal and its results: the goal as an editor sets it (validated with the same
// fields as source.outcomes), and conversion per arm and per path against the control group, from
// the flow's decisions in the ledger and the goal's events in the inbox (read the way ctx.events
// reads them for source.outcomes: events.trackEvents, paged by position).
import { z } from "zod";
import { events, flows, goals, type Store } from "../../db/store";
import type { GoalRow } from "../../db/store/goals";
import { BadRequest } from "../../lib/errors";
import { DAY_MS, outcomeGoal, outcomeTest } from "../../nodes/source/outcome-goal";
import type { Condition } from "../../nodes/trigger/conditions";
import { goalFigures, type GoalEvent, type GoalFigures } from "./goal-figures";

const PAGE = 5000;

export type GoalInput = z.input<typeof outcomeGoal>;

export interface GoalView {
  event: string;
  conditions: GoalRow["conditions"];
  match: "all" | "any";
  days: number;
  updatedAt: number;
}

export interface GoalResults {
  goal: GoalView | null;
  /** Null without a goal. */
  figures: (GoalFigures & { eventsRead: number; windowDays: number; computedAt: number }) | null;
}

const view = (g: GoalRow): GoalView => ({ event: g.event, conditions: g.conditions, match: g.match, days: g.windowDays, updatedAt: g.updatedAt });

/** The goal checked field by field (BadRequest naming the field), then stored for the flow. */
export async function saveGoal(store: Store, flowId: string, input: unknown): Promise<GoalView> {
  const parsed = outcomeGoal.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadRequest(`Goal: ${issue.path.join(".") || "goal"}: ${issue.message}`);
  }
  const g = parsed.data;
  return view(await goals.save(store, flowId, { event: g.event, conditions: g.conditions, match: g.match, windowDays: g.days }));
}

/** The goal's events in [since, until], each that passes the goal's tests, with whose it is and when. */
async function goalEvents(store: Store, goal: GoalRow, since: number, until: number): Promise<{ events: GoalEvent[]; read: number }> {
  // Stored only after outcomeGoal checked them.
  const test = outcomeTest({ conditions: goal.conditions as Condition[], match: goal.match });
  const out: GoalEvent[] = [];
  let read = 0;
  for (let after = 0; ; ) {
    const page = await events.trackEvents(store, { event: goal.event, since, until, after, limit: PAGE });
    read += page.length;
    for (const e of page) {
      const p = e.payload?.properties;
      if (test(typeof p === "object" && p !== null && !Array.isArray(p) ? p : {}).passes) out.push({ userId: e.userId, profileId: e.profileId, at: e.timestamp });
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.position;
  }
  return { events: out, read };
}

/** The goal and, when there is one, conversion per arm and per path of the flow's decisions so far. */
export async function goalResults(store: Store, flowId: string, now = Date.now()): Promise<GoalResults> {
  const { graph } = await flows.get(store, flowId); // NOT_FOUND for an unknown flow
  const goal = await goals.get(store, flowId);
  if (!goal) return { goal: null, figures: null };
  const windowMs = Math.round(goal.windowDays * DAY_MS);
  const decisions = await goals.decisions(store, flowId);
  const { events: found, read } = decisions.length ? await goalEvents(store, goal, decisions[0]!.at, decisions.at(-1)!.at + windowMs) : { events: [], read: 0 };
  const labels = new Map(graph.nodes.map((n) => [n.id, n.label?.trim() || n.id]));
  const figures = goalFigures(decisions, found, windowMs, now, (id) => labels.get(id) ?? id);
  return { goal: view(goal), figures: { ...figures, eventsRead: read, windowDays: goal.windowDays, computedAt: now } };
}
