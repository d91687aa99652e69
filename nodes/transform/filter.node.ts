import { z } from "zod";
import { column, ConfigError, defineNode, sameColumns } from "../sdk";
import { blankSql, requireColumn, scalarText, typedValues, typeFamily, type TypedValueRequest } from "./sql-helpers";

const LABEL = "Filter rows";

const OPERATORS = ["=", "!=", "<", "<=", ">", ">=", "contains", "starts with", "ends with", "is empty", "is not empty", "in list", "between"] as const;
type Operator = (typeof OPERATORS)[number];
const NO_VALUE: readonly Operator[] = ["is empty", "is not empty"];
const LIST_VALUES: readonly Operator[] = ["in list", "between"];
const TEXT_MATCH: readonly Operator[] = ["contains", "starts with", "ends with"];

const config = z.object({
  conditions: z
    .array(
      z.object({
        column: column(z.string().min(1)).describe("The column to test."),
        operator: z
          .enum(OPERATORS)
          .describe('How to compare. "is empty" also matches blank text; "!=" keeps empty values; "between" includes both ends.'),
        value: scalarText
          .optional()
          .describe("The value to compare with, written as the column holds it: 42, 19.99, yes/no, 2024-03-15. Not needed for is empty / is not empty."),
        values: z
          .array(scalarText)
          .optional()
          .describe('For "in list": the values to accept. For "between": the lowest and the highest value.'),
      }),
    )
    .min(1)
    .describe("The tests each row must pass."),
  match: z.enum(["all", "any"]).default("all").describe("Keep a row when it passes all the tests, or any one of them."),
  ignoreCase: z.boolean().default(false).describe("Compare text without regard to upper and lower case (=, !=, in list, contains, starts with, ends with)."),
});

type Condition = z.output<typeof config>["conditions"][number];

export default defineNode({
  type: "transform.filter",
  version: 1,
  kind: "transform",
  label: LABEL,
  description: "Keep the rows that pass your tests, like segment = Womens E-Mail or spend > 0. Rows keep their input order.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  columns: sameColumns("rows"),
  config,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const ds = ctx.datasets;
    const { ident } = ds;

    const cols = cfg.conditions.map((c, i) => requireColumn(input, c.column, `conditions.${i}.column`, LABEL));

    // Check the shape of each condition, then read every typed-in value as its column's type (one query).
    const requests: TypedValueRequest[] = [];
    const slots: { cond: number; start: number; count: number }[] = [];
    cfg.conditions.forEach((c: Condition, i) => {
      const at = `conditions.${i}`;
      const family = typeFamily(cols[i]!.type);
      const where = `${LABEL}: condition ${i + 1} (${c.column} ${c.operator})`;
      if (NO_VALUE.includes(c.operator)) {
        slots.push({ cond: i, start: requests.length, count: 0 });
        return;
      }
      // Text tests read any column as text (a zip code stored as a number still "starts with 9").
      const type = TEXT_MATCH.includes(c.operator) ? "VARCHAR" : cols[i]!.type;
      if (family === "other" && !TEXT_MATCH.includes(c.operator)) {
        throw new ConfigError(`${where}: column "${c.column}" holds ${cols[i]!.type} values, which can only be tested with is empty / is not empty`, {
          field: `${at}.operator`,
        });
      }
      if (LIST_VALUES.includes(c.operator)) {
        const values = c.values ?? [];
        if (c.operator === "between" && values.length !== 2) {
          throw new ConfigError(`${where}: give two values, the lowest and the highest`, { field: `${at}.values` });
        }
        if (c.operator === "in list" && !values.length) throw new ConfigError(`${where}: give at least one value`, { field: `${at}.values` });
        slots.push({ cond: i, start: requests.length, count: values.length });
        values.forEach((text, j) => requests.push({ text, type, field: `${at}.values.${j}`, allowDecimalsForIntegers: true }));
        return;
      }
      if (c.value === undefined || (c.value === "" && family !== "text")) {
        throw new ConfigError(`${where}: give a value to compare with`, { field: `${at}.value` });
      }
      if (TEXT_MATCH.includes(c.operator) && c.value === "") throw new ConfigError(`${where}: give the text to look for`, { field: `${at}.value` });
      slots.push({ cond: i, start: requests.length, count: 1 });
      requests.push({ text: c.value, type, field: `${at}.value`, allowDecimalsForIntegers: true });
    });
    const literals = await typedValues(ds, LABEL, requests);

    const tests = slots.map(({ cond, start, count }) => {
      const c = cfg.conditions[cond]!;
      const col = cols[cond]!;
      const family = typeFamily(col.type);
      const x = ident(col.name);
      const vals = literals.slice(start, start + count);
      const text = family === "text";
      const fold = (e: string) => (cfg.ignoreCase ? `lower(${e})` : e);
      switch (c.operator) {
        case "is empty":
          return text ? `(${x} IS NULL OR ${blankSql(ds, x)})` : `(${x} IS NULL)`;
        case "is not empty":
          return text ? `(${x} IS NOT NULL AND NOT ${blankSql(ds, x)})` : `(${x} IS NOT NULL)`;
        case "contains":
        case "starts with":
        case "ends with": {
          const fn = c.operator === "contains" ? "contains" : c.operator === "starts with" ? "starts_with" : "suffix";
          const s = text ? x : `CAST(${x} AS VARCHAR)`;
          return `${fn}(${fold(s)}, ${fold(vals[0]!)})`;
        }
        case "=":
          return text ? `${fold(x)} = ${fold(vals[0]!)}` : `${x} = ${vals[0]}`;
        case "!=":
          // "Is not X" keeps the rows that have no value at all.
          return text ? `${fold(x)} IS DISTINCT FROM ${fold(vals[0]!)}` : `${x} IS DISTINCT FROM ${vals[0]}`;
        case "in list":
          return text ? `${fold(x)} IN (${vals.map(fold).join(", ")})` : `${x} IN (${vals.join(", ")})`;
        case "between":
          return `${x} BETWEEN ${vals[0]} AND ${vals[1]}`;
        default:
          return `${x} ${c.operator} ${vals[0]}`;
      }
    });
    // A test on a missing value is false, never unknown: NOT, AND and OR then behave as people expect.
    const where = tests.map((t) => `coalesce(${t}, false)`).join(cfg.match === "all" ? " AND " : " OR ");

    ctx.signal.throwIfAborted();
    const columns = input.columns.map((c) => ident(c.name)).join(", ");
    const out = await ds.create(`SELECT ${columns} FROM ${ds.from(input)} WHERE ${where}`);
    return {
      outputs: { rows: out },
      metrics: { rowsIn: input.rows, rowsOut: out.rows, removed: input.rows - out.rows },
    };
  },
});
