// The expression language's functions: for each name its usage, argument count and how it
// type-checks and compiles its arguments to DuckDB SQL (through the Compiler of expression.ts).

import type { Compiler, ValueType } from "./expression";
import type { Expr } from "./expression-parse";

/** A compiled value: its SQL, its type and the syntax node it came from (for messages). */
export interface Typed {
  sql: string;
  type: ValueType;
  node: Expr;
}

export interface FunctionSpec {
  /** How it is written, for messages: `round(number, digits)`. */
  usage: string;
  min: number;
  max: number;
  compile(c: Compiler, args: Expr[], call: Expr): { sql: string; type: ValueType };
}

/** A typed empty value of each type. */
export const NULL_SQL: Record<Exclude<ValueType, "null" | "other">, string> = {
  number: "CAST(NULL AS DOUBLE)",
  text: "CAST(NULL AS VARCHAR)",
  boolean: "CAST(NULL AS BOOLEAN)",
  date: "CAST(NULL AS DATE)",
  timestamp: "CAST(NULL AS TIMESTAMP)",
};

const DATE_UNITS = ["day", "week", "month", "quarter", "year"] as const;
const TIME_UNITS = ["hour", "minute", "second"] as const;

function unaryText(name: string, sqlName: string): FunctionSpec {
  return {
    usage: `${name}(text)`,
    min: 1,
    max: 1,
    compile: (c, [a]) => ({ sql: `${sqlName}(${c.want(c.compile(a!), ["text"], `${name}()`)})`, type: "text" }),
  };
}

function textTest(name: string): FunctionSpec {
  return {
    usage: `${name}(text, part)`,
    min: 2,
    max: 2,
    compile: (c, [a, b]) => ({
      sql: `${name}(${c.want(c.compile(a!), ["text"], `${name}()`)}, ${c.want(c.compile(b!), ["text"], `${name}()`)})`,
      type: "boolean",
    }),
  };
}

function unaryNumber(name: string): FunctionSpec {
  return {
    usage: `${name}(number)`,
    min: 1,
    max: 1,
    compile: (c, [a]) => ({ sql: `${name}(${c.want(c.compile(a!), ["number"], `${name}()`)})`, type: "number" }),
  };
}

function datePart(name: string): FunctionSpec {
  return {
    usage: `${name}(date)`,
    min: 1,
    max: 1,
    compile: (c, [a]) => ({ sql: `${name}(${c.want(c.compile(a!), ["date", "timestamp"], `${name}()`)})`, type: "number" }),
  };
}

function extreme(name: "min" | "max"): FunctionSpec {
  return {
    usage: `${name}(a, b)`,
    min: 2,
    max: 16,
    compile: (c, args) => {
      const { sqls, type } = c.unify(args.map((a) => c.compile(a)), `${name}()`, ["number", "text", "date", "timestamp"]);
      // least/greatest skip empty values: max(5, null) is 5.
      return { sql: `${name === "min" ? "least" : "greatest"}(${sqls.join(", ")})`, type };
    },
  };
}

const INTERVAL_FN: Record<string, string> = {
  day: "to_days",
  week: "to_weeks",
  month: "to_months",
  year: "to_years",
  hour: "to_hours",
  minute: "to_minutes",
  second: "to_seconds",
};

const FUNCTIONS: Record<string, FunctionSpec> = {
  if: {
    usage: "if(condition, then, otherwise) or if(cond1, value1, cond2, value2, ..., otherwise)",
    min: 3,
    max: Infinity,
    compile: (c, args, call) => {
      if (args.length % 2 === 0) {
        c.fail("if() needs a value for when no condition holds", call.pos, "(usage: if(cond1, value1, cond2, value2, ..., otherwise))");
      }
      const conds: string[] = [];
      const values: Typed[] = [];
      for (let i = 0; i < args.length - 1; i += 2) {
        conds.push(c.want(c.compile(args[i]!), ["boolean"], "if() condition"));
        values.push(c.compile(args[i + 1]!));
      }
      values.push(c.compile(args.at(-1)!));
      const { sqls, type } = c.unify(values, "if()");
      const whens = conds.map((cond, i) => `WHEN ${cond} THEN ${sqls[i]}`).join(" ");
      return { sql: `(CASE ${whens} ELSE ${sqls.at(-1)} END)`, type };
    },
  },
  lower: unaryText("lower", "lower"),
  upper: unaryText("upper", "upper"),
  trim: unaryText("trim", "trim"),
  length: {
    usage: "length(text)",
    min: 1,
    max: 1,
    compile: (c, [a]) => ({ sql: `length(${c.want(c.compile(a!), ["text"], "length()")})`, type: "number" }),
  },
  concat: {
    usage: "concat(a, b, ...)",
    min: 1,
    max: 64,
    compile: (c, args) => {
      // Empty values count as empty text; numbers, dates and true/false are written out.
      const parts = args.map((a) => {
        const t = c.compile(a);
        if (t.type === "text") return t.sql;
        if (t.type === "null") return "''";
        if (t.type === "other") return c.fail("concat() cannot use a value of an unsupported type", a.pos);
        return `CAST(${t.sql} AS VARCHAR)`;
      });
      return { sql: `concat(${parts.join(", ")})`, type: "text" };
    },
  },
  contains: textTest("contains"),
  starts_with: textTest("starts_with"),
  ends_with: textTest("ends_with"),
  replace: {
    usage: "replace(text, find, replacement)",
    min: 3,
    max: 3,
    compile: (c, args) => ({ sql: `replace(${args.map((a) => c.want(c.compile(a), ["text"], "replace()")).join(", ")})`, type: "text" }),
  },
  substr: {
    usage: "substr(text, start, length) (start at 1; length optional)",
    min: 2,
    max: 3,
    compile: (c, [s, start, len]) => {
      const parts = [c.want(c.compile(s!), ["text"], "substr()"), c.integer(c.compile(start!), "substr() start", "BIGINT")];
      if (len) parts.push(c.integer(c.compile(len), "substr() length", "BIGINT"));
      return { sql: `substring(${parts.join(", ")})`, type: "text" };
    },
  },
  round: {
    usage: "round(number, digits) (digits optional, default 0)",
    min: 1,
    max: 2,
    compile: (c, [x, digits]) => {
      const n = c.want(c.compile(x!), ["number"], "round()");
      return { sql: digits ? `round(${n}, ${c.integer(c.compile(digits), "round() digits")})` : `round(${n})`, type: "number" };
    },
  },
  floor: unaryNumber("floor"),
  ceil: unaryNumber("ceil"),
  abs: unaryNumber("abs"),
  min: extreme("min"),
  max: extreme("max"),
  coalesce: {
    usage: "coalesce(a, b, ...) (the first value that is not empty)",
    min: 2,
    max: 64,
    compile: (c, args) => {
      const { sqls, type } = c.unify(args.map((a) => c.compile(a)), "coalesce()");
      return { sql: `coalesce(${sqls.join(", ")})`, type };
    },
  },
  year: datePart("year"),
  month: datePart("month"),
  day: datePart("day"),
  today: { usage: "today()", min: 0, max: 0, compile: () => ({ sql: "current_date", type: "date" }) },
  date_diff: {
    usage: "date_diff('day', from, to) (also 'week', 'month', 'quarter', 'year', 'hour', 'minute', 'second')",
    min: 3,
    max: 3,
    compile: (c, [unit, a, b]) => {
      const u = c.unit(unit!, "date_diff", [...DATE_UNITS, ...TIME_UNITS]);
      const from = c.want(c.compile(a!), ["date", "timestamp"], "date_diff()");
      const to = c.want(c.compile(b!), ["date", "timestamp"], "date_diff()");
      return { sql: `date_diff(${c.literal(u)}, ${from}, ${to})`, type: "number" };
    },
  },
  date_add: {
    usage: "date_add(date, n, 'day') (also 'week', 'month', 'quarter', 'year', 'hour', 'minute', 'second')",
    min: 3,
    max: 3,
    compile: (c, [d, n, unit]) => {
      const u = c.unit(unit!, "date_add", [...DATE_UNITS, ...TIME_UNITS]);
      const base = c.temporal(c.compile(d!), "date_add()");
      const amount = c.compile(n!);
      const interval =
        u === "second"
          ? `to_seconds(${c.integer(amount, "date_add() amount", "DOUBLE")})`
          : u === "quarter"
            ? `to_months(${c.integer(amount, "date_add() amount")} * 3)`
            : `${INTERVAL_FN[u]}(${c.integer(amount, "date_add() amount", u === "hour" || u === "minute" ? "BIGINT" : "INTEGER")})`;
      const isTime = (TIME_UNITS as readonly string[]).includes(u);
      // DATE + INTERVAL is a TIMESTAMP in DuckDB: adding days to a date gives a date again.
      if (base.type === "date" && !isTime) return { sql: `CAST((${base.sql} + ${interval}) AS DATE)`, type: "date" };
      return { sql: `(CAST(${base.sql} AS TIMESTAMP) + ${interval})`, type: "timestamp" };
    },
  },
  is_null: {
    usage: "is_null(value)",
    min: 1,
    max: 1,
    compile: (c, [a]) => ({ sql: `(${c.compile(a!).sql} IS NULL)`, type: "boolean" }),
  },
  number: {
    usage: "number(value) (text that is not a number gives an empty value)",
    min: 1,
    max: 1,
    compile: (c, [a]) => {
      const t = c.compile(a!);
      if (t.type === "number") return { sql: t.sql, type: "number" };
      const v = c.want(t, ["text", "boolean"], "number()");
      return { sql: t.type === "boolean" ? `CAST(${v} AS INTEGER)` : `TRY_CAST(trim(${v}) AS DOUBLE)`, type: "number" };
    },
  },
  text: {
    usage: "text(value)",
    min: 1,
    max: 1,
    compile: (c, [a]) => {
      const t = c.compile(a!);
      if (t.type === "other") c.fail("text() cannot use a value of an unsupported type", a!.pos);
      return { sql: t.type === "null" ? NULL_SQL.text : `CAST(${t.sql} AS VARCHAR)`, type: "text" };
    },
  },
  date: {
    usage: "date(value) (text that is not a YYYY-MM-DD date gives an empty value)",
    min: 1,
    max: 1,
    compile: (c, [a]) => {
      const t = c.compile(a!);
      if (t.type === "date") return { sql: t.sql, type: "date" };
      const v = c.want(t, ["text", "timestamp"], "date()");
      return { sql: t.type === "timestamp" ? `CAST(${v} AS DATE)` : `TRY_CAST(trim(${v}) AS DATE)`, type: "date" };
    },
  },
};

/** The function of that (lower-case) name; own properties only, so "constructor" is no function. */
export function functionSpec(name: string): FunctionSpec | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}

/** Names of the functions the language knows, for help texts. */
export const FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS);
