// Journey rules, at the start of a journey: who may enter (again), never twice at the same time,
// and the event that takes a customer out of the journey wherever they wait (e.g. they bought).
// Customers let in are recorded as in the journey until the run they entered with ends.
import { z } from "zod";
import { column, ConfigError, defineNode, sameColumns } from "../sdk";
import { conditions, matchMode } from "../trigger/conditions";
import { checkNoPositionColumn, requireColumn } from "../transform/sql-helpers";
import { customerIds, rowsWhere } from "./customers";

const LABEL = "Entry and exit rules";

export const entryConfig = z
  .object({
    customerId: column(z.string().min(1, "Choose the customer id column")).describe("The column with each row's customer id (their user id)."),
    reentry: z.enum(["always", "never", "after"]).default("always").describe("May a customer enter this journey again: always, never, or after some days."),
    afterDays: z.number().int().min(1).default(30).describe("With re-entry after: the days since they last entered."),
    concurrent: z.boolean().default(false).describe("Let a customer be in this journey twice at the same time (off: someone still in it is not entered again)."),
    exitEvent: z.string().trim().max(200).default("").describe('The event that takes a customer out of the journey wherever they wait, e.g. "Order Completed". Empty: none.'),
    exitConditions: conditions.describe("Tests on the exit event's properties and the customer's traits."),
    exitMatch: matchMode,
  })
  .superRefine((c, issue) => {
    if (c.exitConditions.length && !c.exitEvent) issue.addIssue({ code: "custom", path: ["exitEvent"], message: "Name the exit event the tests are about" });
  });

export default defineNode({
  type: "control.entry",
  version: 1,
  kind: "control",
  label: LABEL,
  description:
    "The journey's rules: whether a customer may enter again (always, never, or after some days), whether they may be in it twice at the same time, and an event that takes them out of the journey wherever they wait. Only those let in go on.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  columns: sameColumns("rows"),
  config: entryConfig,
  async run({ config: c, inputs, ctx }) {
    const input = inputs.rows;
    requireColumn(input, c.customerId, "customerId", LABEL);
    checkNoPositionColumn(input, LABEL, "customerId");
    const { ids, withoutId } = await customerIds(ctx, input, c.customerId);
    if (withoutId === input.rows && input.rows > 0) throw new ConfigError(`${LABEL}: customerId: no row of "${c.customerId}" holds a customer id`, { field: "customerId" });
    const decided = await ctx.journey.enter(ids, {
      reentry: c.reentry,
      afterDays: c.afterDays,
      concurrent: c.concurrent,
      exit: c.exitEvent ? { event: c.exitEvent, conditions: c.exitConditions, match: c.exitMatch } : null,
    });
    const refused: Record<string, number> = {};
    for (const reason of decided.values()) if (reason) refused[reason] = (refused[reason] ?? 0) + 1;
    const rows = await rowsWhere(ctx, input, c.customerId, (id) => id !== null && decided.get(id) === null);
    const entered = [...decided.values()].filter((r) => r === null).length;
    return {
      outputs: { rows },
      metrics: { entered, ...(Object.keys(refused).length ? { notEntered: refused } : {}), ...(withoutId ? { rowsWithoutCustomerId: withoutId } : {}) },
    };
  },
});
