// Outcomes: the decision ledger joined with what customers did afterwards. One row per decision
// (an e-mail sent or suppressed, a control-group customer held out...) with whether the customer
// did the outcome event within the attribution window after it, how many times, and the sum of a
// numeric property of those events (order totals, say). The labels to learn from and the figures
// to compare the treated with the control group.
//
// A decision and an event are the same customer's when the event's ids resolve to the profile the
// ledger recorded, or, failing that, when the event's userId is the decision's customer id. The
// events are read from the inbox once (every event of that name in the decisions' time span, with
// their profiles: ctx.events), tested here against the conditions, and joined in DuckDB with two
// equi-joins on the customer and a range on the time, so 100,000 decisions cost one pass each.
import { z } from "zod";
import { advanced, defineNode, type DatasetRef, type NodeContext } from "../sdk";
import { attributionDays, DAY_MS, matchMode, outcomeConditions, outcomeEvent, outcomeTest, parseProperties } from "./outcome-goal";

const LABEL = "Outcomes";
const BATCH = 10_000;
/** The control group's channel in the ledger (control.split): kept whatever the channel filter. */
const HOLDOUT = "holdout";
const MAX_ARMS = 20;

const config = z
  .object({
    flows: z
      .enum(["this flow", "one flow", "every flow"])
      .default("this flow")
      .describe("Whose decisions: this flow's, another flow's (give its id), or every flow's."),
    flowId: z.string().trim().max(64).optional().describe('With "one flow": its id, as in the address bar.'),
    channel: z
      .string()
      .trim()
      .max(100)
      .optional()
      .describe('Only this channel\'s actions (email, webhook, sync). The control group\'s rows (channel "holdout") are kept too. Empty: every channel.'),
    sinceDays: z.number().int().min(1).max(3650).optional().describe("Only decisions of the last this many days. Empty: all."),
    event: outcomeEvent,
    conditions: outcomeConditions,
    match: matchMode,
    days: attributionDays,
    valueProperty: z
      .string()
      .trim()
      .max(200)
      .optional()
      .describe("A numeric property of the outcome events to add up per decision (e.g. total; a dot reaches inside an object). Empty: no value column figures."),
    closedWindowsOnly: advanced(
      z
        .boolean()
        .default(false)
        .describe("Leave out decisions whose window has not ended yet (their outcome may still come): for training on settled labels."),
    ),
  })
  .superRefine((c, issue) => {
    if (c.flows === "one flow" && !c.flowId) issue.addIssue({ code: "custom", path: ["flowId"], message: "Give the flow's id" });
  });
type Config = z.output<typeof config>;

const sqlText = (ctx: NodeContext, v: string) => ctx.datasets.literal(v);

/** The events that pass the conditions, with each one's value: the inbox events plus two columns. */
async function testedEvents(ctx: NodeContext, events: DatasetRef, cfg: Config): Promise<DatasetRef> {
  const ds = ctx.datasets;
  if (!cfg.conditions.length && !cfg.valueProperty) return ds.create(`SELECT *, true AS passes, CAST(NULL AS DOUBLE) AS amount FROM ${ds.from(events)}`);
  const ok = new Uint8Array(events.rows);
  const amount = new Float64Array(events.rows).fill(Number.NaN);
  const test = outcomeTest(cfg);
  for await (const batch of ds.batches<{ pos: bigint | number; properties: string | null }>(`SELECT file_row_number AS pos, properties FROM ${ds.fromWithPosition(events)}`, BATCH)) {
    ctx.signal.throwIfAborted();
    for (const { pos, properties } of batch) {
      const verdict = test(parseProperties(properties));
      if (!verdict.passes) continue;
      ok[Number(pos)] = 1;
      amount[Number(pos)] = verdict.amount;
    }
  }
  return ds.addColumns(events, [
    { name: "passes", type: "BOOLEAN", values: ok },
    { name: "amount", type: "DOUBLE", values: amount },
  ]);
}

export default defineNode({
  type: "source.outcomes",
  version: 1,
  kind: "source",
  label: LABEL,
  description:
    "What customers did after each decision of your flows: one row per decision from the decision ledger (customer, flow, channel, status, arm, model and score, time), with whether the customer did the outcome event within the attribution window after it (converted), how often, and the sum of a property of those events (value). Compare those contacted with the control group, or learn from it.",
  inputs: {},
  outputs: { rows: "table" },
  config,
  activity: { startToCloseTimeout: "1 hour" },
  async run({ config: cfg, ctx }) {
    const ds = ctx.datasets;
    const now = Date.now();
    const windowMs = Math.round(cfg.days * DAY_MS);
    const flowId = cfg.flows === "every flow" ? undefined : cfg.flows === "one flow" ? cfg.flowId! : await ctx.flowId();
    ctx.progress(null, "Reading the ledger");
    const ledger = await ctx.ledger.dataset({ flowId, since: cfg.sinceDays ? now - cfg.sinceDays * DAY_MS : undefined });
    const where = [
      cfg.channel ? `(channel = ${sqlText(ctx, cfg.channel)} OR channel = ${sqlText(ctx, HOLDOUT)})` : "true",
      cfg.closedWindowsOnly ? `epoch_ms("at") + ${windowMs} <= ${now}` : "true",
    ].join(" AND ");
    const decisions = `SELECT file_row_number AS rid, *, epoch_ms("at") AS t FROM ${ds.fromWithPosition(ledger)} WHERE ${where}`;
    const [span] = await ds.query<{ n: bigint | number; first: bigint | number | null; last: bigint | number | null }>(`SELECT count(*) AS n, min(t) AS first, max(t) AS last FROM (${decisions})`);
    const n = Number(span!.n);

    let eventsRead = 0;
    let candidates = `SELECT CAST(NULL AS BIGINT) AS position, CAST(NULL AS VARCHAR) AS profile_id, CAST(NULL AS VARCHAR) AS user_id, CAST(NULL AS BIGINT) AS t, CAST(NULL AS DOUBLE) AS v WHERE false`;
    if (n > 0) {
      ctx.progress(null, `Reading "${cfg.event}" events`);
      const events = await ctx.events.read({ event: cfg.event, since: Number(span!.first), until: Number(span!.last) + windowMs });
      eventsRead = events.rows;
      const tested = await testedEvents(ctx, events, cfg);
      candidates = `SELECT position, profile_id, user_id, epoch_ms("timestamp") AS t, amount AS v FROM ${ds.from(tested)} WHERE passes`;
    }
    ctx.progress(null, "Joining the outcomes to the decisions");
    // The attribution rule of ./outcome-goal.ts (withinWindow), as SQL.
    const within = `e.t >= d.t AND e.t < d.t + ${windowMs}`;
    const rows = await ds.create(`
      WITH d AS (${decisions}),
           e AS (${candidates}),
           m AS (SELECT d.rid, e.position, e.v FROM d JOIN e ON e.profile_id = d.profile_id AND ${within}
                 UNION
                 SELECT d.rid, e.position, e.v FROM d JOIN e ON e.user_id = d.customer_id AND ${within}),
           a AS (SELECT rid, count(*) AS n, sum(v) AS v FROM m GROUP BY rid)
      SELECT d.customer_id, d.profile_id, d.flow_id, d.flow_version, d.run_id, d.node_id, d.channel, d.status, d.reason, d.arm,
             d.model_name, d.model_version, d.score, d."at" AS decided_at,
             coalesce(a.n, 0) > 0 AS converted,
             CAST(coalesce(a.n, 0) AS BIGINT) AS outcomes,
             ${cfg.valueProperty ? "CAST(coalesce(a.v, 0) AS DOUBLE)" : "CAST(NULL AS DOUBLE)"} AS value,
             d.t + ${windowMs} <= ${now} AS window_closed
      FROM d LEFT JOIN a USING (rid)
      ORDER BY d.rid`);

    const arms = await ds.query<{ arm: string | null; n: bigint | number; converted: bigint | number }>(
      `SELECT arm, count(*) AS n, count(*) FILTER (WHERE converted) AS converted FROM ${ds.from(rows)} GROUP BY arm ORDER BY n DESC, arm LIMIT ${MAX_ARMS}`,
    );
    const [total] = await ds.query<{ converted: bigint | number }>(`SELECT count(*) FILTER (WHERE converted) AS converted FROM ${ds.from(rows)}`);
    const converted = Number(total!.converted);
    if (n === 0) ctx.log.warn("No decisions in the ledger match the filters", { flowId: flowId ?? "(every flow)", channel: cfg.channel ?? null, sinceDays: cfg.sinceDays ?? null });
    return {
      outputs: { rows },
      metrics: {
        decisions: rows.rows,
        converted,
        conversionRate: rows.rows ? converted / rows.rows : null,
        outcomeEvents: eventsRead,
        event: cfg.event,
        windowDays: cfg.days,
        byArm: arms.map((a) => ({ arm: a.arm, decisions: Number(a.n), converted: Number(a.converted), rate: Number(a.n) ? Number(a.converted) / Number(a.n) : null })),
      },
    };
  },
});
