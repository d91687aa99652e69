// A/B/n split of a cohort's customers, with an optional control group that is sent nothing.
// Each control-group customer is recorded in the ledger (channel "holdout", suppressed, "control
// group", arm "control"), so outcomes can be compared between the treated and the control group
// (source.outcomes). The ledger key is (run, node, customer): a retry records nobody twice.
//
// Assignment: a hash of (customer id, flow id, salt) puts each customer at a point in [0, 1)
// (./split-assign.ts); the control group takes the first controlPercent of the line, then each arm
// its percent in the order listed. So the same customer is in the same arm on every run of the
// flow (sticky, whoever else is in the cohort), and two flows, or two salts, split independently.
//
// Ports: one fixed output per arm position, `a` to `e` (the 1st to 5th arm in the list; those past
// the number of arms give an empty table), plus `control` and `rows` (every row). Ports are static
// in defineNode, so they cannot take the arms' names; but fixed ports let the canvas wire "arm A ->
// e-mail A" directly, with no filter node between, which a single output with an arm column would
// need. Every output has the arm column (the arm's name, "control", or empty for a row without a
// customer id) so an action can record it in the ledger (send-email's armColumn).
import { z } from "zod";
import { advanced, column, ConfigError, defineNode, type LedgerEntry } from "../sdk";
import { checkNoPositionColumn, requireColumn, trimSql } from "../transform/sql-helpers";
import { partsByKey, tablePort as table, uniqueNames } from "./outputs";
import { shareEnds, shareOf, unitHash } from "./split-assign";

const LABEL = "Split (A/B/n)";
const PORTS = ["a", "b", "c", "d", "e"] as const;
const CONTROL = "control";
/** The control group's rows in the ledger: nothing was sent, on purpose. */
export const HOLDOUT_CHANNEL = "holdout";
export const CONTROL_REASON = "control group";
const BATCH = 10_000;
/** Percentages are compared to 100 with this much slack for decimals (33.33 + 33.33 + 33.34). */
const SLACK = 1e-6;

const arm = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Give the arm a name")
    .max(100)
    .refine((name) => name.toLowerCase() !== CONTROL, `"${CONTROL}" is the control group's name; give the arm another`)
    .describe('The arm\'s name, written in the arm column and the ledger, e.g. "A" or "discount".'),
  percent: z.number().gt(0, "An arm needs a share above 0").max(100).describe("The share of customers in this arm, in percent."),
});

export const splitConfig = z
  .object({
    customerId: column(z.string().min(1, "Choose the customer id column")).describe(
      "The column with each row's customer id (their user id): the same customer is always in the same arm of this flow.",
    ),
    arms: z
      .array(arm)
      .min(1, "Give at least 1 arm")
      .max(PORTS.length, `Give at most ${PORTS.length} arms`)
      .default([
        { name: "A", percent: 45 },
        { name: "B", percent: 45 },
      ])
      .describe("The arms, in the order of the outputs a, b, c, d, e (one treated arm and the control group is a holdout test). Their percentages and the control group's add up to 100.")
      .superRefine(uniqueNames("arms")),
    controlPercent: z
      .number()
      .min(0)
      .max(50)
      .default(10)
      .describe("The share of customers in the control group, who are sent nothing (0 to 50 percent); each is recorded in the ledger as held out, to compare outcomes with."),
    salt: advanced(
      z
        .string()
        .max(200)
        .default("")
        .describe("A salt: change it to split the same customers afresh (a new experiment in the same flow). A customer's arm depends only on their id, the flow and this. Empty: the flow alone decides."),
    ),
    armColumn: advanced(z.string().trim().min(1).max(100).default("arm").describe("The name of the column added with each row's arm.")),
  })
  .superRefine((c, issue) => {
    const total = c.controlPercent + c.arms.reduce((s, a) => s + a.percent, 0);
    if (Math.abs(total - 100) > SLACK) {
      issue.addIssue({
        code: "custom",
        path: ["arms"],
        message: `The arms' percentages and the control group's add up to ${Math.round(total * 1000) / 1000}, not 100`,
      });
    }
  });

export type SplitConfig = z.output<typeof splitConfig>;

export default defineNode({
  type: "control.split",
  version: 1,
  kind: "control",
  label: LABEL,
  description:
    "Split customers into 1 to 5 arms by percentage, plus an optional control group that is sent nothing (recorded in the decision ledger as held out, so outcomes can be compared). A customer always lands in the same arm of this flow, on every run, whatever other flows do. Each row gets an arm column for the ledger.",
  inputs: { rows: "table" },
  outputs: {
    a: table("Arm 1 (a)"),
    b: table("Arm 2 (b)"),
    c: table("Arm 3 (c)"),
    d: table("Arm 4 (d)"),
    e: table("Arm 5 (e)"),
    control: table("Control group (send nothing)"),
    rows: table("All rows, with their arm"),
  },
  columns: ({ config, inputs }) => {
    if (!inputs.rows) return undefined;
    const cols = [...inputs.rows, { name: config.armColumn, type: "VARCHAR" }];
    return { a: cols, b: cols, c: cols, d: cols, e: cols, control: cols, rows: cols };
  },
  config: splitConfig,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const ds = ctx.datasets;
    requireColumn(input, cfg.customerId, "customerId", LABEL);
    checkNoPositionColumn(input, LABEL, "customerId");
    if (input.columns.some((c) => c.name.toLowerCase() === cfg.armColumn.toLowerCase())) {
      throw new ConfigError(`${LABEL}: armColumn: the input already has a column "${cfg.armColumn}"; choose another name for the arm column`, { field: "armColumn" });
    }

    const flowId = await ctx.flowId();
    const ends = shareEnds(cfg.controlPercent, cfg.arms.map((a) => a.percent));
    // Label i: share i (0 the control group, i the arm i - 1).
    const labels = [CONTROL, ...cfg.arms.map((a) => a.name)];
    const share = new Float64Array(input.rows).fill(NaN);
    const counts = new Array<number>(labels.length).fill(0);
    let withoutId = 0;
    let done = 0;
    const held = new Set<string>();
    let recorded = 0;
    const id = `NULLIF(${trimSql(ds, `CAST(${ds.ident(cfg.customerId)} AS VARCHAR)`)}, '')`;
    for await (const batch of ds.batches<{ pos: bigint | number; id: string | null }>(`SELECT file_row_number AS pos, ${id} AS id FROM ${ds.fromWithPosition(input)}`, BATCH)) {
      ctx.signal.throwIfAborted();
      const control: LedgerEntry[] = [];
      for (const row of batch) {
        if (row.id === null) {
          withoutId++;
          continue;
        }
        const s = shareOf(unitHash(row.id, flowId, cfg.salt), ends);
        share[Number(row.pos)] = s;
        counts[s]!++;
        if (s === 0 && !held.has(row.id)) {
          held.add(row.id);
          control.push({ customer: row.id, channel: HOLDOUT_CHANNEL, status: "suppressed", reason: CONTROL_REASON, arm: CONTROL });
        }
      }
      // A retry records the same keys again, which leaves the rows already there as they are.
      await ctx.ledger.record(control);
      recorded += control.length;
      done += batch.length;
      ctx.progress(input.rows ? done / input.rows : null, "Assigning arms");
    }

    const all = await ds.addColumns(input, [{ name: cfg.armColumn, type: "VARCHAR", values: share, labels }]);
    const parts = await partsByKey(ctx, all, cfg.armColumn, "*", [...PORTS, "control"], [...PORTS.map((_, i) => cfg.arms[i]?.name), CONTROL]);
    return {
      outputs: { ...parts, rows: all },
      metrics: {
        rows: input.rows,
        arms: Object.fromEntries(cfg.arms.map((a, i) => [a.name, counts[i + 1]])),
        control: counts[0],
        ...(recorded ? { controlRecorded: recorded } : {}),
        ...(withoutId ? { rowsWithoutCustomerId: withoutId } : {}),
      },
    };
  },
});
