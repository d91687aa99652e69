import { z } from "zod";
import { advanced, column, ConfigError, defineNode, type Column, type DatasetRef, type NodeContext } from "../sdk";

// DuckDB's virtual column giving a row's position in the Parquet file: the stable "input order".
const POSITION = "file_row_number";
const FAILED = "_failed_rules";
// Working columns inside the query; an input column with one of these names would be ambiguous.
const FLAG_PREFIX = "__lw_pass_";

const CHECKS = ["notNull", "unique", "range", "allowedValues", "pattern", "email", "foreignKey"] as const;
type Check = (typeof CHECKS)[number];

/**
 * A deliverable address: the WHATWG (HTML form) e-mail grammar, plus a dot in the domain, since
 * marketing mail cannot go to a bare host name. Evaluated by RE2, so it runs in linear time.
 */
export const EMAIL_PATTERN =
  "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+";

const rule = z.object({
  column: column(z.string().min(1)).describe("Column to check."),
  check: z
    .enum(CHECKS)
    .describe(
      "What a good value looks like. notNull: present (not empty). unique: no other row has the same value. range: a number between Min and Max. " +
        "allowedValues: one of Values. pattern: matches Pattern. email: looks like a deliverable e-mail address. " +
        "foreignKey: appears in a column of the reference table. Except for notNull, an empty value passes; add a notNull rule to require one.",
    ),
  min: z.number().optional().describe("range: the smallest allowed value (inclusive). Empty: no lower limit."),
  max: z.number().optional().describe("range: the largest allowed value (inclusive). Empty: no upper limit."),
  values: z.array(z.string()).optional().describe("allowedValues: the values a row may have, e.g. Month-to-month, One year, Two year. Upper/lower case matters."),
  pattern: z
    .string()
    .optional()
    .describe("pattern: a regular expression the whole value must match, e.g. [0-9]{4}-[A-Z]{5} (RE2 syntax: no look-arounds or back-references)."),
  referenceColumn: column(z.string())
    .optional()
    .describe("foreignKey: the column of the reference table holding the allowed values. Empty: the column with the same name."),
  name: z
    .string()
    .optional()
    .describe("Name of the rule in the quality report and in _failed_rules. Empty: the check and the column, e.g. notNull(TotalCharges)."),
});
type Rule = z.output<typeof rule>;

const config = z.object({
  rules: z.array(rule).min(1).describe("The checks every row must pass. A row failing any of them goes to the quarantine output."),
  trim: advanced(
    z
      .boolean()
      .default(true)
      .describe("Ignore spaces around text: a value of only spaces counts as empty, and ' Yes' as 'Yes'."),
  ),
});

const NUMERIC = /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|REAL|DECIMAL(\(.*\))?|NUMERIC(\(.*\))?)$/i;
const isNumeric = (type: string) => NUMERIC.test(type);
const isText = (type: string) => /^VARCHAR/i.test(type);

interface Compiled {
  name: string;
  check: Check;
  column: string;
  /** A boolean SQL expression, never NULL: true when the row passes. */
  pass: string;
}

export function ruleName(r: Rule): string {
  return r.name?.trim() || `${r.check}(${r.column})`;
}

async function compileRule(r: Rule, i: number, input: DatasetRef, reference: DatasetRef | undefined, trim: boolean, ctx: NodeContext): Promise<Compiled> {
  const { ident, literal } = ctx.datasets;
  const name = ruleName(r);
  const field = (f: string) => `rules.${i}.${f}`;
  const byName = new Map(input.columns.map((c) => [c.name, c]));
  const col = byName.get(r.column);
  if (!col) throw new ConfigError(`Rule "${name}": no column "${r.column}" in the input`, { field: field("column") });
  const value = (c: Column, q: string) => (trim && isText(c.type) ? `nullif(trim(${q}), '')` : q);
  const v = value(col, ident(r.column));
  const text = `CAST(${v} AS VARCHAR)`;
  let pass: string;

  switch (r.check) {
    case "notNull":
      pass = `(${v} IS NOT NULL)`;
      break;
    case "unique":
      // NULLs form no group of their own here: the window counts only rows with this very value.
      pass = `(${v} IS NULL OR count(*) OVER (PARTITION BY ${v}) = 1)`;
      break;
    case "range": {
      if (r.min === undefined && r.max === undefined) throw new ConfigError(`Rule "${name}": give a Min, a Max or both`, { field: field("min") });
      if (r.min !== undefined && r.max !== undefined && r.min > r.max) {
        throw new ConfigError(`Rule "${name}": Min (${r.min}) is larger than Max (${r.max})`, { field: field("min") });
      }
      if (!isNumeric(col.type) && !isText(col.type)) {
        throw new ConfigError(`Rule "${name}": column "${r.column}" holds ${col.type} values, not numbers`, { field: field("column") });
      }
      // Text that does not read as a number fails the rule.
      const x = isNumeric(col.type) ? `CAST(${v} AS DOUBLE)` : `TRY_CAST(${v} AS DOUBLE)`;
      const bounds = [...(r.min !== undefined ? [`${x} >= ${numberSql(r.min)}`] : []), ...(r.max !== undefined ? [`${x} <= ${numberSql(r.max)}`] : [])];
      pass = `(${v} IS NULL OR coalesce(${bounds.join(" AND ")}, false))`;
      break;
    }
    case "allowedValues": {
      const values = (r.values ?? []).map((s) => (trim ? s.trim() : s));
      if (!values.length) throw new ConfigError(`Rule "${name}": list the allowed values`, { field: field("values") });
      pass = `(${v} IS NULL OR ${text} IN (${values.map(literal).join(", ")}))`;
      break;
    }
    case "pattern": {
      if (!r.pattern) throw new ConfigError(`Rule "${name}": give the pattern values must match`, { field: field("pattern") });
      await requireCompiles(r.pattern, name, field("pattern"), ctx);
      pass = `(${v} IS NULL OR regexp_full_match(${text}, ${literal(r.pattern)}))`;
      break;
    }
    case "email":
      pass = `(${v} IS NULL OR regexp_full_match(${text}, ${literal(EMAIL_PATTERN)}))`;
      break;
    case "foreignKey": {
      if (!reference) throw new ConfigError(`Rule "${name}": connect the reference table whose values are allowed`, { field: field("check") });
      const refName = r.referenceColumn || r.column;
      const refCol = reference.columns.find((c) => c.name === refName);
      if (!refCol) {
        throw new ConfigError(`Rule "${name}": no column "${refName}" in the reference table`, { field: field(r.referenceColumn ? "referenceColumn" : "column") });
      }
      const rv = value(refCol, ident(refName));
      // Same type, or two numbers: compare as they are. Otherwise as text, so 42 matches '42'.
      const native = refCol.type === col.type || (isNumeric(refCol.type) && isNumeric(col.type));
      const [l, rr] = native ? [v, rv] : [text, `CAST(${rv} AS VARCHAR)`];
      pass = `(${v} IS NULL OR coalesce(${l} IN (SELECT ${rr} FROM ${ctx.datasets.from(reference)} WHERE ${rr} IS NOT NULL), false))`;
      break;
    }
  }
  return { name, check: r.check, column: r.column, pass };
}

function numberSql(n: number): string {
  return `CAST(${JSON.stringify(n)} AS DOUBLE)`;
}

/** DuckDB's regular expressions are RE2: ask it to compile the pattern, and say which rule when it cannot. */
async function requireCompiles(pattern: string, name: string, field: string, ctx: NodeContext): Promise<void> {
  try {
    await ctx.datasets.query(`SELECT regexp_full_match('', ${ctx.datasets.literal(pattern)}) AS ok`);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split("\n")[0]!.replace(/^[A-Za-z ]+Error:\s*/, "");
    throw new ConfigError(`Rule "${name}": the pattern cannot be used (${reason})`, { field, cause: err });
  }
}

export default defineNode({
  type: "transform.validate",
  version: 1,
  kind: "transform",
  label: "Validate data",
  description:
    "Check every row against data-quality rules (present, unique, in range, allowed values, pattern, e-mail, known in a reference table). " +
    "Rows that pass go to valid, the others to quarantine with the names of the rules they failed. The quality report counts passes and failures per rule.",
  inputs: { rows: "table", reference: { type: "table", optional: true } },
  outputs: { valid: "table", quarantine: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const { ident, literal } = ctx.datasets;
    for (const reserved of [POSITION, FAILED]) {
      if (input.columns.some((c) => c.name === reserved)) {
        throw new ConfigError(`Validate data: the input has a column named "${reserved}", which this node needs for itself; rename or remove it first`, {
          field: "rules",
        });
      }
    }
    if (input.columns.some((c) => c.name.startsWith(FLAG_PREFIX))) {
      throw new ConfigError(`Validate data: the input has a column whose name starts with "${FLAG_PREFIX}"; rename it first`, { field: "rules" });
    }

    const rules: Compiled[] = [];
    const seen = new Map<string, number>();
    for (const [i, r] of cfg.rules.entries()) {
      const compiled = await compileRule(r, i, input, inputs.reference, cfg.trim, ctx);
      if (seen.has(compiled.name)) {
        throw new ConfigError(`Rules ${seen.get(compiled.name)! + 1} and ${i + 1} are both called "${compiled.name}"; give one of them a name`, { field: `rules.${i}.name` });
      }
      seen.set(compiled.name, i);
      rules.push(compiled);
    }

    // One pass computes every rule's verdict; the list names the failed rules in config order.
    const flags = rules.map((r, i) => `${r.pass} AS ${ident(FLAG_PREFIX + i)}`).join(", ");
    const failed = `list_filter([${rules.map((r, i) => `CASE WHEN NOT ${ident(FLAG_PREFIX + i)} THEN ${literal(r.name)} END`).join(", ")}], x -> x IS NOT NULL)`;
    const checked = `(SELECT *, ${failed} AS ${ident(FAILED)} FROM (SELECT *, ${flags} FROM ${ctx.datasets.fromWithPosition(input)}))`;
    const columns = input.columns.map((c) => ident(c.name)).join(", ");
    const pos = ident(POSITION);

    ctx.progress(null, `Checking ${input.rows} rows against ${rules.length} rule${rules.length === 1 ? "" : "s"}`);
    const valid = await ctx.datasets.create(`SELECT ${columns} FROM ${checked} WHERE len(${ident(FAILED)}) = 0 ORDER BY ${pos}`);
    const quarantine = await ctx.datasets.create(`SELECT ${columns}, ${ident(FAILED)} FROM ${checked} WHERE len(${ident(FAILED)}) > 0 ORDER BY ${pos}`);

    // The failures are in the quarantine (usually the small side): count them there.
    const counts = await ctx.datasets.query<{ rule: string; n: number }>(
      `SELECT rule, count(*) AS n FROM (SELECT unnest(${ident(FAILED)}) AS rule FROM ${ctx.datasets.from(quarantine)}) GROUP BY rule`,
    );
    const failedBy = new Map(counts.map((c) => [c.rule, Number(c.n)]));
    const report: Record<string, { check: Check; column: string; passed: number; failed: number }> = {};
    for (const r of rules) {
      const f = failedBy.get(r.name) ?? 0;
      report[r.name] = { check: r.check, column: r.column, passed: input.rows - f, failed: f };
    }
    ctx.progress(1, `${valid.rows} valid, ${quarantine.rows} quarantined`);
    return {
      outputs: { valid, quarantine },
      metrics: {
        rowsIn: input.rows,
        validRows: valid.rows,
        quarantinedRows: quarantine.rows,
        validShare: input.rows ? valid.rows / input.rows : null,
        rules: report,
      },
    };
  },
});
