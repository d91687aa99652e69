// What counts as an outcome: an event's name, tests on its properties, and the attribution window
// after a decision. Shared by source.outcomes (the labels, joined in DuckDB) and a flow's conversion
// goal (server/services/goal-results.ts, the flow's results page), so the two agree on which
// events count, with the same fields, messages and tests.
import { z } from "zod";
import { at, condition, matchMode, passes, type Condition } from "../trigger/conditions";

export const DAY_MS = 86_400_000;

export const outcomeEvent = z.string().trim().min(1, "Name the outcome event").max(200).describe('The event that counts as the outcome, e.g. "Order Completed".');

export const outcomeConditions = z
  .array(condition.extend({ on: z.literal("property").default("property").describe("Tests are on the event's properties.") }))
  .max(50)
  .default([])
  .describe("Tests on the event's properties, e.g. total > 10.");

export const attributionDays = z
  .number()
  .gt(0, "The attribution window must be longer than 0 days")
  .max(365, "The attribution window can be at most 365 days")
  .default(14)
  .describe("The attribution window: the event counts when it comes within this many days after the decision.");

export { matchMode };

/** A conversion goal as a flow keeps it (and as source.outcomes takes it, with more options). */
export const outcomeGoal = z.object({ event: outcomeEvent, conditions: outcomeConditions, match: matchMode, days: attributionDays });
export type OutcomeGoal = z.output<typeof outcomeGoal>;

/** An event's properties from the JSON text the inbox keeps (not JSON: no properties, so no test passes on them). */
export function parseProperties(text: string | null | undefined): unknown {
  try {
    return JSON.parse(text ?? "{}");
  } catch {
    return {};
  }
}

export interface EventVerdict {
  passes: boolean;
  /** The value property as a number, NaN when absent or not a number. */
  amount: number;
}

/** Whether an event with these properties counts, and its value (`valueProperty`, a dot reaches inside). */
export function outcomeTest(goal: { conditions: readonly Condition[]; match: "all" | "any"; valueProperty?: string }): (properties: unknown) => EventVerdict {
  return (properties) => {
    if (!passes(goal.conditions, goal.match, { properties })) return { passes: false, amount: Number.NaN };
    if (!goal.valueProperty) return { passes: true, amount: Number.NaN };
    const v = at(properties, goal.valueProperty);
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
    return { passes: true, amount: Number.isFinite(n) ? n : Number.NaN };
  };
}

/**
 * The attribution rule, the same in both places: an event counts for a decision when it is the same
 * customer's (the event's ids resolve to the profile the ledger recorded, or its userId is the
 * decision's customer id) and its time is in [decision, decision + window).
 */
export const withinWindow = (decidedAt: number, eventAt: number, windowMs: number) => eventAt >= decidedAt && eventAt < decidedAt + windowMs;
