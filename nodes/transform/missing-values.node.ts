import { z } from "zod";
import { column, ConfigError, DataError, defineNode } from "../sdk";
import { checkNoPositionColumn, familyWords, isNumericFamily, missingSql, POSITION, requireColumn, scalarText, typedValues, typeFamily } from "./sql-helpers";

const LABEL = "Missing values";

const config = z.object({
  columns: z
    .array(
      z.object({
        column: column(z.string().min(1)).describe("A column with missing values (empty, blank text, or not a number)."),
        strategy: z
          .enum(["drop row", "constant", "mean", "median", "mode"])
          .describe(
            "drop row = remove rows where it is missing; constant = fill in the value below; mean / median = fill in the average / middle value of the column (rounded for whole-number columns); mode = fill in the most frequent value.",
          ),
        value: scalarText.optional().describe("For constant: the value to fill in, written as the column holds it (42, 19.99, yes, 2024-03-15, text)."),
        indicator: z
          .boolean()
          .default(false)
          .describe("Add a yes/no column <column>_missing that says which rows were missing a value, so a model can still use that fact."),
      }),
    )
    .min(1)
    .describe("What to do with missing values, column by column. Rows are dropped first; averages are taken over the rows that remain."),
});

interface Plan {
  i: number;
  name: string;
  type: string;
  strategy: "drop row" | "constant" | "mean" | "median" | "mode";
  missing: string;
  indicator?: string;
  /** SQL for the fill value (constant) or the statistic, over the CTE `kept`. */
  fill?: string;
}

export default defineNode({
  type: "transform.missing-values",
  version: 1,
  kind: "transform",
  label: LABEL,
  description:
    "Handle empty values column by column: drop the rows, or fill them with a value, the average, the middle value or the most frequent value; optionally flag which rows were filled.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const ds = ctx.datasets;
    const { ident } = ds;

    const cols = cfg.columns.map((c, i) => requireColumn(input, c.column, `columns.${i}.column`, LABEL));
    const seen = new Map<string, number>();
    cfg.columns.forEach((c, i) => {
      if (seen.has(c.column)) throw new ConfigError(`${LABEL}: column "${c.column}" is listed twice`, { field: `columns.${i}.column` });
      seen.set(c.column, i);
    });

    checkNoPositionColumn(input, LABEL, "columns");
    const taken = new Set(input.columns.map((c) => c.name.toLowerCase()));
    const plans: Plan[] = cfg.columns.map((c, i) => {
      const col = cols[i]!;
      const family = typeFamily(col.type);
      const at = `columns.${i}`;
      if ((c.strategy === "mean" || c.strategy === "median") && !isNumericFamily(family)) {
        throw new ConfigError(
          `${LABEL}: column "${c.column}" holds ${familyWords(family)}, so it has no ${c.strategy}; convert it to a number first (Select & convert columns) or use mode or constant`,
          { field: `${at}.strategy` },
        );
      }
      if (c.strategy === "constant" && c.value === undefined) {
        throw new ConfigError(`${LABEL}: give the value to fill column "${c.column}" with`, { field: `${at}.value` });
      }
      let indicator: string | undefined;
      if (c.indicator) {
        if (c.strategy === "drop row") {
          throw new ConfigError(`${LABEL}: rows missing "${c.column}" are dropped, so a missing-value flag would always be no; turn the indicator off`, {
            field: `${at}.indicator`,
          });
        }
        indicator = `${c.column}_missing`;
        if (taken.has(indicator.toLowerCase())) {
          throw new ConfigError(`${LABEL}: the output already has a column "${indicator}"; rename it first`, { field: `${at}.indicator` });
        }
        taken.add(indicator.toLowerCase());
      }
      return { i, name: col.name, type: col.type, strategy: c.strategy, missing: missingSql(ds, ident(col.name), family, col.type), indicator };
    });

    const constants = plans.filter((p) => p.strategy === "constant");
    const literals = await typedValues(
      ds,
      LABEL,
      constants.map((p) => ({ text: cfg.columns[p.i]!.value!, type: p.type, field: `columns.${p.i}.value` })),
    );
    constants.forEach((p, k) => (p.fill = literals[k]));

    for (const p of plans) {
      const x = ident(p.name);
      const whole = typeFamily(p.type) === "integer";
      const present = `FROM kept WHERE NOT ${p.missing}`;
      if (p.strategy === "mean") p.fill = `(SELECT CAST(${whole ? `round(avg(${x}))` : `avg(${x})`} AS ${p.type}) ${present})`;
      if (p.strategy === "median") p.fill = `(SELECT CAST(${whole ? `round(median(${x}))` : `median(${x})`} AS ${p.type}) ${present})`;
      // Ties go to the smallest value, so the result never depends on the order rows are read in.
      if (p.strategy === "mode") p.fill = `(SELECT ${x} ${present} GROUP BY ${x} ORDER BY count(*) DESC, ${x} ASC LIMIT 1)`;
    }

    const drops = plans.filter((p) => p.strategy === "drop row");
    const kept = `kept AS (SELECT * FROM ${ds.fromWithPosition(input)}${drops.length ? ` WHERE NOT (${drops.map((p) => p.missing).join(" OR ")})` : ""})`;
    const fills = plans.filter((p) => p.fill !== undefined);

    // The figures first: how much is missing and what goes in its place (also catches a column with nothing to average).
    const stats = (
      await ds.query<Record<string, unknown>>(
        `WITH ${kept} SELECT count(*) AS "rowsKept", ${plans
          .map((p, k) => `(SELECT count(*) FROM ${ds.from(input)} WHERE ${p.missing}) AS m${k}${p.fill !== undefined ? `, ${p.fill} AS f${k}` : ""}`)
          .join(", ")} FROM kept`,
      )
    )[0]!;
    plans.forEach((p, k) => {
      if (p.fill !== undefined && Number(stats[`m${k}`]) > 0 && stats[`f${k}`] === null && Number(stats.rowsKept) > 0) {
        throw new DataError(`${LABEL}: column "${p.name}" has no values to take the ${p.strategy} of`, { where: p.name });
      }
    });
    ctx.signal.throwIfAborted();

    const byName = new Map(fills.map((p) => [p.name, p]));
    const selects: string[] = [];
    for (const c of input.columns) {
      const x = ident(c.name);
      const p = byName.get(c.name);
      if (!p) {
        selects.push(x);
        continue;
      }
      const k = plans.indexOf(p);
      selects.push(`CASE WHEN ${p.missing} THEN (SELECT f${k} FROM fills) ELSE ${x} END AS ${x}`);
      if (p.indicator) selects.push(`${p.missing} AS ${ident(p.indicator)}`);
    }
    const fillsCte = fills.length ? `, fills AS (SELECT ${fills.map((p) => `${p.fill} AS f${plans.indexOf(p)}`).join(", ")})` : "";
    const out = await ds.create(`WITH ${kept}${fillsCte} SELECT ${selects.join(", ")} FROM kept ORDER BY ${ident(POSITION)}`);

    const columns: Record<string, Record<string, unknown>> = {};
    plans.forEach((p, k) => {
      columns[p.name] = { missing: Number(stats[`m${k}`]), strategy: p.strategy, ...(p.fill !== undefined ? { filledWith: stats[`f${k}`] ?? null } : {}) };
    });
    return {
      outputs: { rows: out },
      metrics: { rowsIn: input.rows, rowsOut: out.rows, rowsDropped: input.rows - out.rows, columns },
    };
  },
});
