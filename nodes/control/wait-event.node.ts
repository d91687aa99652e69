// Journey step: wait for an event. Holds each customer until they do something (an event by name,
// with tests on its properties and their traits) or the time runs out. The inbox pump releases a
// customer as their event arrives and signals the run, which takes the released customers together
// (within about a second) and runs the rest of the flow for them from the "did it" output; at the
// deadline everyone still waiting goes on from "timed out". Each part is a run of its own.
import { z } from "zod";
import { column, ConfigError, defineNode, type DatasetRef, type NodeContext } from "../sdk";
import { conditions, matchMode } from "../trigger/conditions";
import { checkNoPositionColumn, POSITION, requireColumn, trimSql } from "../transform/sql-helpers";
import { UNIT_MS } from "./wait-time";

const LABEL = "Wait for event";
const BATCH = 10_000;
const TAG = "__loopwright_taken";

export const waitEventConfig = z.object({
  customerId: column(z.string().min(1, "Choose the customer id column")).describe("The column with each row's customer id (their user id or anonymous id): their events release them."),
  event: z.string().trim().min(1, "Name the event to wait for").max(200).describe('The event that releases a customer, e.g. "Order Completed".'),
  conditions: conditions.describe("Tests on the event's properties and the customer's traits, e.g. total > 50."),
  match: matchMode,
  timeout: z.number().gt(0, "Give a time to wait").default(14).describe("How long to wait for it."),
  unit: z.enum(["seconds", "minutes", "hours", "days"]).default("days").describe("The unit of the time to wait."),
});

const idSql = (ctx: NodeContext, col: string) => `NULLIF(${trimSql(ctx.datasets, `CAST(${ctx.datasets.ident(col)} AS VARCHAR)`)}, '')`;

/** The input's rows whose customer is among `ids` (in input order). */
async function rowsOf(ctx: NodeContext, input: DatasetRef, customerId: string, ids: ReadonlySet<string>): Promise<DatasetRef> {
  const ds = ctx.datasets;
  const keep = new Uint8Array(input.rows);
  for await (const batch of ds.batches<{ pos: bigint | number; id: string | null }>(`SELECT ${POSITION} AS pos, ${idSql(ctx, customerId)} AS id FROM ${ds.fromWithPosition(input)}`, BATCH)) {
    for (const r of batch) if (r.id !== null && ids.has(r.id)) keep[Number(r.pos)] = 1;
  }
  const tagged = await ds.addColumns(input, [{ name: TAG, type: "BOOLEAN", values: keep }]);
  return ds.create(`SELECT * EXCLUDE (${TAG}) FROM ${ds.from(tagged)} WHERE ${TAG}`);
}

export default defineNode({
  type: "control.wait-event",
  version: 1,
  kind: "control",
  label: LABEL,
  description:
    "Waits until each customer does something (an event, with tests on its properties) or the time runs out. Those who do it go on from \"did it\" within seconds of their event; the others go on from \"timed out\".",
  inputs: { rows: "table" },
  outputs: { did: { type: "table", label: "Did it" }, timedOut: { type: "table", label: "Timed out" } },
  config: waitEventConfig,
  activity: { startToCloseTimeout: "30 minutes" },
  async run({ config: c, inputs, ctx }) {
    const input = inputs.rows;
    requireColumn(input, c.customerId, "customerId", LABEL);
    checkNoPositionColumn(input, LABEL, "customerId");
    const phase = ctx.journey.phase;
    if (phase) {
      const taken = new Set(await ctx.journey.take(phase));
      const rows = await rowsOf(ctx, input, c.customerId, taken);
      const port = phase === "released" ? "did" : "timedOut";
      return { outputs: { [port]: rows }, metrics: { [port]: taken.size } };
    }
    const ids = new Set<string>();
    let withoutId = 0;
    for await (const batch of ctx.datasets.batches<{ id: string | null }>(`SELECT ${idSql(ctx, c.customerId)} AS id FROM ${ctx.datasets.from(input)}`, BATCH)) {
      for (const r of batch) {
        if (r.id === null) withoutId++;
        else ids.add(r.id);
      }
    }
    if (withoutId === input.rows && input.rows > 0) throw new ConfigError(`${LABEL}: customerId: no row of "${c.customerId}" holds a customer id`, { field: "customerId" });
    const deadline = Date.now() + c.timeout * UNIT_MS[c.unit];
    await ctx.journey.hold([...ids], { event: c.event, conditions: c.conditions, match: c.match, deadline });
    return {
      outputs: {},
      hold: { kind: "event", deadline, customers: ids.size },
      metrics: { waiting: ids.size, until: new Date(deadline).toISOString(), ...(withoutId ? { rowsWithoutCustomerId: withoutId } : {}) },
    };
  },
});
