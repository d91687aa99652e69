// Routes each row to the first branch whose conditions it passes, or to "else". Conditions test the
// row's columns and its customer's profile traits, with the matcher the event and audience
// triggers use (nodes/trigger/conditions.ts), so a test means the same in a trigger and here.
//
// Ports: fixed outputs `branch1` to `branch5` (the branches in the order listed; those past the
// number of branches give an empty table) and `else`. Ports are static in defineNode; fixed ones
// let the canvas wire a branch straight to its action.
//
// Rows are read in batches (only the columns the conditions name, plus the customer id), profiles
// looked up a batch at a time, and each row's branch noted by its position; DuckDB then writes
// each output from the input in one pass.
import { z } from "zod";
import { column, ConfigError, defineNode, sameColumns } from "../sdk";
import { checkNoPositionColumn, freeName, isNumericFamily, requireColumn, trimSql, typeFamily } from "../transform/sql-helpers";
import { matchMode, passes, readsTraits, rowCondition, type RowCondition } from "../trigger/conditions";
import { partsByKey, tablePort as table, uniqueNames } from "./outputs";

const LABEL = "Branch";
const PORTS = ["branch1", "branch2", "branch3", "branch4", "branch5"] as const;
const BATCH = 1000;

const branch = z.object({
  name: z.string().trim().min(1, "Give the branch a name").max(100).describe("A name for the branch, shown in the run's figures."),
  conditions: z
    .array(rowCondition)
    .min(1, "Give the branch at least one condition")
    .max(50)
    .describe("Tests on the row's columns and the customer's traits, e.g. column MonthlyCharges > 70, or trait plan = pro."),
  match: matchMode.describe("Take a row that passes all the tests, or any one of them."),
});

export const branchConfig = z.object({
  branches: z
    .array(branch)
    .min(1, "Give at least one branch")
    .max(PORTS.length, `Give at most ${PORTS.length} branches`)
    .describe("Tried in order: a row goes to the first branch it passes (outputs branch1, branch2, ...), else to the else output.")
    .superRefine(uniqueNames("branches")),
  customerId: column(z.string())
    .default("")
    .describe("The column with each row's customer id (their user id), whose profile the trait tests read. Needed only for trait tests."),
});

export type BranchConfig = z.output<typeof branchConfig>;

export default defineNode({
  type: "control.branch",
  version: 1,
  kind: "control",
  label: LABEL,
  description:
    "Send each row to the first branch whose tests it passes (tests on its columns and its customer's profile traits), or else to the else output. Up to 5 branches, tried in order.",
  inputs: { rows: "table" },
  outputs: {
    branch1: table("Branch 1"),
    branch2: table("Branch 2"),
    branch3: table("Branch 3"),
    branch4: table("Branch 4"),
    branch5: table("Branch 5"),
    else: table("Else (no branch)"),
  },
  columns: sameColumns("branch1", "branch2", "branch3", "branch4", "branch5", "else"),
  config: branchConfig,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const ds = ctx.datasets;
    checkNoPositionColumn(input, LABEL, "branches");

    // Each column a condition names is read once, as c<k>; the conditions then test c<k>, so a
    // column name with a dot in it is not taken for a path.
    const aliases = new Map<string, string>();
    const selects: string[] = [];
    const branches = cfg.branches.map((b, i) => ({
      name: b.name,
      match: b.match,
      conditions: b.conditions.map((c, j): RowCondition => {
        if (c.on !== "column") return c;
        const col = requireColumn(input, c.field, `branches.${i}.conditions.${j}.field`, LABEL);
        let alias = aliases.get(col.name);
        if (!alias) {
          alias = `c${aliases.size}`;
          aliases.set(col.name, alias);
          // Numbers compare as numbers, yes/no as yes/no, anything else (dates too) as its text.
          const family = typeFamily(col.type);
          const expr = ds.ident(col.name);
          selects.push(`${isNumericFamily(family) ? `CAST(${expr} AS DOUBLE)` : family === "boolean" ? expr : `CAST(${expr} AS VARCHAR)`} AS ${alias}`);
        }
        return { ...c, field: alias };
      }),
    }));
    const traits = branches.some((b) => readsTraits(b.conditions));
    if (traits) {
      if (!cfg.customerId) throw new ConfigError(`${LABEL}: customerId: choose the customer id column; trait tests read the customer's profile`, { field: "customerId" });
      requireColumn(input, cfg.customerId, "customerId", LABEL);
      selects.push(`NULLIF(${trimSql(ds, `CAST(${ds.ident(cfg.customerId)} AS VARCHAR)`)}, '') AS id`);
    }

    const ELSE = branches.length;
    const chosen = new Float64Array(input.rows);
    const counts = new Array<number>(branches.length + 1).fill(0);
    let withoutProfile = 0;
    let done = 0;
    const sql = `SELECT file_row_number AS pos${selects.map((s) => `, ${s}`).join("")} FROM ${ds.fromWithPosition(input)}`;
    for await (const batch of ds.batches<{ pos: bigint | number; id?: string | null } & Record<string, unknown>>(sql, BATCH)) {
      ctx.signal.throwIfAborted();
      const ids = traits ? [...new Set(batch.map((r) => r.id).filter((id): id is string => !!id))] : [];
      const profiles = ids.length ? await ctx.profiles.traits(ids) : new Map<string, { traits: Record<string, unknown> }>();
      for (const row of batch) {
        const profile = row.id ? profiles.get(row.id) : undefined;
        if (traits && !profile) withoutProfile++;
        const subject = { properties: row, traits: profile?.traits };
        let k = branches.findIndex((b) => passes(b.conditions, b.match, subject));
        if (k < 0) k = ELSE;
        chosen[Number(row.pos)] = k;
        counts[k]!++;
      }
      done += batch.length;
      ctx.progress(input.rows ? done / input.rows : null, "Testing rows");
    }

    const helper = freeName("_branch", input.columns.map((c) => c.name));
    const tagged = await ds.addColumns(input, [{ name: helper, type: "INTEGER", values: chosen }]);
    const cols = input.columns.map((c) => ds.ident(c.name)).join(", ");
    const outputs = await partsByKey(ctx, tagged, helper, cols, [...PORTS, "else"], [...PORTS.map((_, i) => (i < branches.length ? i : undefined)), ELSE]);
    return {
      outputs,
      metrics: {
        rows: input.rows,
        branches: Object.fromEntries(branches.map((b, i) => [b.name, counts[i]])),
        else: counts[ELSE],
        ...(withoutProfile ? { rowsWithoutProfile: withoutProfile } : {}),
      },
    };
  },
});
