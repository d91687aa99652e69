import { z } from "zod";
import { ConfigError, DataError, defineNode } from "../sdk";
import { compileExpression, ExpressionError, exprColumns, MAX_EXPRESSION_LENGTH, type ExprColumn } from "./expression";

const EXPRESSION_HELP =
  "A formula computed for every row, e.g. if(tenure > 12, 'loyal', 'new'). " +
  "Columns by name (tenure) or in brackets ([Monthly Charges]); text in quotes ('yes' or \"yes\"); numbers; true, false, null. " +
  "Operators: + - * / % (+ also joins two texts), = != < <= > >=, and, or, not, parentheses. " +
  "Functions: if(cond, a, b) or if(cond1, a, cond2, b, ..., otherwise); lower, upper, trim, length, concat, contains, starts_with, ends_with, replace, substr; " +
  "round, floor, ceil, abs, min(a, b), max(a, b), coalesce; year, month, day, date_diff('day', from, to), today(), date_add(date, n, 'day'); " +
  "is_null(x); number(x), text(x), date(x) to convert. Dividing by zero gives an empty value.";

export default defineNode({
  type: "transform.derived-column",
  version: 1,
  kind: "transform",
  label: "Derived column",
  description:
    "Add columns computed by formulas, e.g. a segment from tenure or a full name from first and last name. Formulas run in order, so a later one can use an earlier one. Rows keep their order.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  config: z.object({
    columns: z
      .array(
        z.object({
          name: z.string().trim().min(1).max(200).describe("Name of the new column. If a column of that name exists, its values are replaced."),
          expression: z.string().min(1).max(MAX_EXPRESSION_LENGTH).describe(EXPRESSION_HELP),
        }),
      )
      .min(1)
      .max(100)
      .describe("The columns to compute, in order: each formula can use the input columns and the columns computed before it."),
  }),
  async run({ config, inputs, ctx }) {
    const input = inputs.rows;
    const { ident } = ctx.datasets;
    const quoting = { ident: (name: string) => ctx.datasets.ident(name), literal: (value: string) => ctx.datasets.literal(value) };

    // The columns as the next formula sees them: the input's, then each computed one.
    const current: ExprColumn[] = exprColumns(input.columns);
    const steps = [`s0 AS (SELECT * FROM ${ctx.datasets.from(input)})`];
    const added: string[] = [];
    const replaced: string[] = [];
    config.columns.forEach(({ name, expression }, i) => {
      let compiled;
      try {
        compiled = compileExpression(expression, current, quoting);
      } catch (err) {
        if (err instanceof ExpressionError) {
          throw new ConfigError(`Derived column "${name}": ${err.message}`, { field: `columns.${i}.expression`, cause: err });
        }
        throw err;
      }
      // DuckDB column names ignore case: "Segment" replaces "segment".
      const at = current.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
      const select = current.map((c, j) => (j === at ? `${compiled.sql} AS ${ident(name)}` : ident(c.name)));
      if (at < 0) {
        select.push(`${compiled.sql} AS ${ident(name)}`);
        current.push({ name, type: compiled.type });
        if (!added.includes(name)) added.push(name);
      } else {
        if (!added.some((a) => a.toLowerCase() === name.toLowerCase()) && !replaced.includes(current[at]!.name)) replaced.push(current[at]!.name);
        current[at] = { name, type: compiled.type };
      }
      steps.push(`s${i + 1} AS (SELECT ${select.join(", ")} FROM s${i})`);
    });

    let out;
    try {
      // Plain projections over the file: DuckDB keeps the input's row order.
      out = await ctx.datasets.create(`WITH ${steps.join(", ")} SELECT * FROM s${config.columns.length}`);
    } catch (err) {
      const first = (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
      throw new DataError(`Derived column: a formula failed on the data: ${first}`, { cause: err });
    }

    const computed = [...new Set(config.columns.map((c) => current.find((k) => k.name.toLowerCase() === c.name.toLowerCase())!.name))];
    const counts = await ctx.datasets.query<Record<string, number>>(
      `SELECT ${computed.map((n, i) => `count(*) FILTER (WHERE ${ident(n)} IS NULL) AS ${ident(`e${i}`)}`).join(", ")} FROM ${ctx.datasets.from(out)}`,
    );
    const emptyValues = Object.fromEntries(computed.map((n, i) => [n, Number(counts[0]?.[`e${i}`] ?? 0)]));
    return {
      outputs: { rows: out },
      metrics: { rows: out.rows, added, replaced, emptyValues },
    };
  },
});
