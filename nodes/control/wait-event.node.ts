// Journey step: wait for an event. Holds each customer until they do something (an event by name,
// with tests on its properties and their traits) or the time runs out. The inbox pump releases a
// customer as their event arrives and signals the run, which takes the released customers together
// (within about a second) and runs the rest of the flow for them from the "did it" output; at the
// deadline everyone still waiting goes on from "timed out". Each part is a run of its own.
import { z } from "zod";
import { column, ConfigError, defineNode, sameColumns } from "../sdk";
import { conditions, matchMode } from "../trigger/conditions";
import { checkNoPositionColumn, requireColumn } from "../transform/sql-helpers";
import { customerIds, rowsWhere } from "./customers";
import { UNIT_MS } from "./wait-time";

const LABEL = "Wait for event";

export const waitEventConfig = z.object({
  customerId: column(z.string().min(1, "Choose the customer id column")).describe("The column with each row's customer id (their user id or anonymous id): their events release them."),
  event: z.string().trim().min(1, "Name the event to wait for").max(200).describe('The event that releases a customer, e.g. "Order Completed".'),
  conditions: conditions.describe("Tests on the event's properties and the customer's traits, e.g. total > 50."),
  match: matchMode,
  timeout: z.number().gt(0, "Give a time to wait").default(14).describe("How long to wait for it."),
  unit: z.enum(["seconds", "minutes", "hours", "days"]).default("days").describe("The unit of the time to wait."),
});

export default defineNode({
  type: "control.wait-event",
  version: 1,
  kind: "control",
  label: LABEL,
  description:
    "Wait until each customer does something (an event, with tests on its properties) or the time runs out. Those who do it go on from \"did it\" within seconds of their event; the others go on from \"timed out\".",
  inputs: { rows: "table" },
  outputs: { did: { type: "table", label: "Did it" }, timedOut: { type: "table", label: "Timed out" } },
  columns: sameColumns("did", "timedOut"),
  config: waitEventConfig,
  activity: { startToCloseTimeout: "30 minutes" },
  async run({ config: c, inputs, ctx }) {
    const input = inputs.rows;
    requireColumn(input, c.customerId, "customerId", LABEL);
    checkNoPositionColumn(input, LABEL, "customerId");
    const phase = ctx.journey.phase;
    if (phase) {
      const taken = new Set(await ctx.journey.take(phase));
      const rows = await rowsWhere(ctx, input, c.customerId, (id) => id !== null && taken.has(id));
      const port = phase === "released" ? "did" : "timedOut";
      return { outputs: { [port]: rows }, metrics: { [port]: taken.size } };
    }
    const { ids, withoutId } = await customerIds(ctx, input, c.customerId);
    if (withoutId === input.rows && input.rows > 0) throw new ConfigError(`${LABEL}: customerId: no row of "${c.customerId}" holds a customer id`, { field: "customerId" });
    const deadline = Date.now() + c.timeout * UNIT_MS[c.unit];
    await ctx.journey.hold(ids, { event: c.event, conditions: c.conditions, match: c.match, deadline });
    return {
      outputs: {},
      hold: { kind: "event", deadline, customers: ids.length, ports: { released: "did", timedOut: "timedOut" } },
      metrics: { waiting: ids.length, until: new Date(deadline).toISOString(), ...(withoutId ? { rowsWithoutCustomerId: withoutId } : {}) },
    };
  },
});
