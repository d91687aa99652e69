import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harness, type Harness } from "../../tests/harness";
import type { DatasetRef, DatasetStore } from "../sdk";
import {
  compileExpression,
  ExpressionError,
  exprColumns,
  MAX_EXPRESSION_LENGTH,
  MAX_NESTING,
  parseExpression,
  valueTypeOf,
  type ExprColumn,
} from "./expression";

let h: Harness;
let ds: DatasetStore;
let people: DatasetRef;
let cols: ExprColumn[];

const PEOPLE = `SELECT * FROM (VALUES
  (1, 'Alice', 'alice@x.com', 10, 29.5::DOUBLE, DATE '2024-01-15', TIMESTAMP '2024-01-15 10:30:00', true, 'v1'),
  (2, 'bob', NULL, 30, NULL, DATE '2023-12-31', NULL, false, 'v2'),
  (3, '  Carol ', 'c@y.org', 0, 100.0::DOUBLE, NULL, TIMESTAMP '2024-03-01 00:00:00', NULL, 'v3')
) t(id, name, email, tenure, "Monthly Charges", signup, seen_at, active, "we""ird; --]")`;

beforeAll(async () => {
  h = harness();
  ds = h.ctx("expr").datasets;
  people = await ds.create(PEOPLE);
  cols = exprColumns(people.columns);
});
afterAll(() => h.close());

function compile(expr: string, columns: ExprColumn[] = cols) {
  return compileExpression(expr, columns, { ident: ds.ident, literal: ds.literal });
}

/** The expression's value for each of the three rows, computed by DuckDB. */
async function values(expr: string): Promise<unknown[]> {
  const { sql } = compile(expr);
  const rows = await ds.query<{ v: unknown }>(`SELECT ${sql} AS v FROM ${ds.from(people)} ORDER BY id`);
  return rows.map((r) => (r.v instanceof Date ? r.v.toISOString().slice(0, 10) : r.v));
}

async function value(expr: string): Promise<unknown> {
  return (await values(expr))[0];
}

function error(expr: string, columns: ExprColumn[] = cols): ExpressionError {
  try {
    compile(expr, columns);
  } catch (err) {
    if (err instanceof ExpressionError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(expr.slice(0, 60))} to fail`);
}

describe("expression column types", () => {
  it("maps DuckDB types", () => {
    expect(["BIGINT", "INTEGER", "DOUBLE", "DECIMAL(18,3)", "HUGEINT", "FLOAT"].map(valueTypeOf)).toEqual(Array(6).fill("number"));
    expect(["VARCHAR", "BOOLEAN", "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "BLOB", "INTEGER[]"].map(valueTypeOf)).toEqual([
      "text",
      "boolean",
      "date",
      "timestamp",
      "timestamp",
      "other",
      "other",
    ]);
  });
});

describe("expression parsing", () => {
  it("builds a tree with the usual precedence", () => {
    const tree = parseExpression("a or not b and c = 1 + 2 * 3");
    expect(tree).toMatchObject({
      kind: "binary",
      op: "or",
      left: { kind: "column", name: "a" },
      right: {
        kind: "binary",
        op: "and",
        left: { kind: "unary", op: "not", operand: { kind: "column", name: "b" } },
        right: {
          kind: "binary",
          op: "=",
          right: { kind: "binary", op: "+", right: { kind: "binary", op: "*" } },
        },
      },
    });
  });

  it("reads numbers, both kinds of quotes, escapes, brackets and keywords in any case", () => {
    expect(parseExpression("12.50")).toMatchObject({ kind: "number", text: "12.50" });
    expect(parseExpression(".5")).toMatchObject({ kind: "number", text: ".5" });
    expect(parseExpression("1e3")).toMatchObject({ kind: "number", text: "1e3" });
    expect(parseExpression(`'it''s'`)).toMatchObject({ kind: "string", value: "it's" });
    expect(parseExpression(`"say ""hi"""`)).toMatchObject({ kind: "string", value: 'say "hi"' });
    expect(parseExpression(`'a\\'b\\\\c\\nd'`)).toMatchObject({ kind: "string", value: "a'b\\c\nd" });
    expect(parseExpression(`'C:\\path'`)).toMatchObject({ kind: "string", value: "C:\\path" });
    expect(parseExpression("[Monthly Charges]")).toMatchObject({ kind: "column", name: "Monthly Charges" });
    expect(parseExpression("[a]]b]")).toMatchObject({ kind: "column", name: "a]b" });
    expect(parseExpression("TRUE AND Null")).toMatchObject({ kind: "binary", op: "and", left: { kind: "boolean", value: true }, right: { kind: "null" } });
    expect(parseExpression("IF(x, 1, 2)")).toMatchObject({ kind: "call", name: "if" });
  });

  it("points at the problem with line and column", () => {
    expect(error("if(tenure > 12, 'a', 'b'").message).toBe('Expected ")" at 1:25');
    expect(error("(tenure + 1").message).toBe('Expected ")" at 1:12');
    expect(error("lower(name 'x')").message).toBe('Expected ")" at 1:12 (found "\'x\'")');
    const e = error("tenure +\n  Tenure");
    expect(e.message).toBe('Unknown column "Tenure" at 2:3 (did you mean "tenure"?)');
    expect([e.line, e.column, e.offset]).toEqual([2, 3, 11]);
    expect(error("tenure >").message).toMatch(/^Expected a value at 1:9/);
    expect(error("").message).toBe("Empty expression at 1:1");
    expect(error("tenure 12").message).toMatch(/^Unexpected "12" at 1:8/);
    expect(error("tenure)").message).toMatch(/^Unexpected "\)" at 1:7/);
    expect(error("'open").message).toMatch(/^Unterminated text .* at 1:1/);
    expect(error("[open").message).toMatch(/^Unterminated column name .* at 1:1/);
    expect(error("a && b").message).toBe('Unexpected character "&" at 1:3 (use "and" / "or")');
    expect(error("1 < tenure < 3").message).toMatch(/^Comparisons cannot be chained at 1:12/);
    expect(error("12abc").message).toMatch(/^Unexpected "a" after the number at 1:3/);
  });

  it("counts columns in characters, not UTF-16 units", () => {
    expect(error("'😀😀' + nope").message).toBe('Unknown column "nope" at 1:8');
  });
});

describe("expression type checking", () => {
  it("suggests columns and functions", () => {
    expect(error("if(Tenure > 12, 'a', 'b')").message).toBe('Unknown column "Tenure" at 1:4 (did you mean "tenure"?)');
    expect(error("tenur * 2").message).toBe('Unknown column "tenur" at 1:1 (did you mean "tenure"?)');
    expect(error("[Monthly Charge]").message).toBe('Unknown column "Monthly Charge" at 1:1 (did you mean "Monthly Charges"?)');
    expect(error("zzz").message).toBe('Unknown column "zzz" at 1:1');
    expect(error("lowr(name)").message).toBe('Unknown function "lowr" at 1:1 (did you mean lower()?)');
    expect(error("today").message).toBe('Unknown column "today" at 1:1 (did you mean today()?)');
  });

  it("checks argument counts and types", () => {
    expect(error("round()").message).toMatch(/^round\(\) takes 1 to 2 arguments, not 0 at 1:1 \(usage: round/);
    expect(error("lower(name, name)").message).toMatch(/^lower\(\) takes 1 argument, not 2 at 1:1/);
    expect(error("if(tenure > 1, 'a')").message).toMatch(/^if\(\) takes at least 3 arguments/);
    expect(error("if(tenure > 1, 'a', tenure > 2, 'b')").message).toMatch(/^if\(\) needs a value for when no condition holds at 1:1/);
    expect(error("if(tenure, 1, 2)").message).toBe("if() condition needs true/false, not a number at 1:4");
    expect(error("if(tenure > 1, 'a', 2)").message).toBe("if(): the values have different types (text and a number) at 1:21");
    expect(error("name > 3").message).toBe("Cannot compare text with a number at 1:8");
    expect(error(`"tenure" > 3`).message).toBe('Cannot compare text with a number at 1:12 ("tenure" in quotes is text; for the column write tenure)');
    expect(error("tenure + 'x'").message).toMatch(/^"\+" cannot join text and a number at 1:1 \(use concat/);
    expect(error("tenure - name").message).toBe('"-" needs a number, not text at 1:10');
    expect(error("upper(tenure)").message).toBe("upper() needs text, not a number at 1:7");
    expect(error("not tenure").message).toBe('"not" needs true/false, not a number at 1:5');
    expect(error("active < true").message).toMatch(/^"<" cannot compare true\/false values/);
    expect(error("email = null").message).toBe("Cannot compare with null at 1:9 (use is_null(x) to test for an empty value)");
    expect(error("signup + 1").message).toMatch(/^"\+" cannot be used on dates .* \(use date_add/);
    expect(error("signup > '2024-13-01'").message).toBe(`"2024-13-01" is not a date at 1:10 (write dates as 'YYYY-MM-DD')`);
    expect(error("date_diff(day, signup, signup)").message).toMatch(/^date_diff\(\): the unit must be written as text/);
    expect(error("date_add(signup, 1, 'fortnight')").message).toMatch(/^date_add\(\): unknown unit "fortnight" at 1:21/);
    expect(error("year(name)").message).toBe("year() needs a date or a date and time, not text at 1:6");
  });

  it("tells a column from a function of the same name by the parenthesis", () => {
    const cdnow: ExprColumn[] = [
      { name: "date", type: "number" },
      { name: "when", type: "date" },
    ];
    expect(compile("date > 19970101", cdnow)).toEqual({ sql: '("date" > 19970101)', type: "boolean" });
    expect(compile("year(date(text(when)))", cdnow).type).toBe("number");
    expect(error("year(date)", cdnow).message).toBe("year() needs a date or a date and time, not a number at 1:6");
  });

  it("gives the result type", () => {
    expect(compile("tenure * 2").type).toBe("number");
    expect(compile("concat(name, tenure)").type).toBe("text");
    expect(compile("tenure > 2").type).toBe("boolean");
    expect(compile("date_add(signup, 1, 'day')").type).toBe("date");
    expect(compile("date_add(signup, 1, 'hour')").type).toBe("timestamp");
    expect(compile("coalesce(seen_at, signup)").type).toBe("timestamp");
    expect(compile("null").type).toBe("text");
  });
});

describe("expression evaluation in DuckDB", () => {
  it("does arithmetic with the usual precedence", async () => {
    expect(await value("1 + 2 * 3")).toBe(7);
    expect(await value("(1 + 2) * 3")).toBe(9);
    expect(await value("10 - 4 - 3")).toBe(3);
    expect(await value("2 * 3 % 4")).toBe(2);
    expect(await value("-2 * 3")).toBe(-6);
    expect(await value("1 - -1")).toBe(2);
    expect(await value("7 / 2")).toBe(3.5);
    expect(await value("1e3 + 0.5")).toBe(1000.5);
    expect(await value("123456789012345678901234")).toBeCloseTo(1.2345678901234568e23);
    expect(await values("tenure / 0")).toEqual([null, null, null]);
    expect(await values("[Monthly Charges] / (tenure - 10)")).toEqual([null, null, -10]);
    expect(await value("5 % 0")).toBe(null);
    expect(await values("tenure % 7")).toEqual([3, 2, 0]);
    expect(await values("[Monthly Charges] * 12")).toEqual([354, null, 1200]);
  });

  it("compares and combines conditions", async () => {
    expect(await values("tenure > 5 and active")).toEqual([true, false, false]);
    expect(await values("not active or tenure = 0")).toEqual([false, true, true]);
    expect(await values("tenure >= 10 and tenure <= 30")).toEqual([true, true, false]);
    expect(await values("name != 'bob'")).toEqual([true, false, true]);
    expect(await values("name <> 'bob'")).toEqual([true, false, true]);
    expect(await values("tenure == 30")).toEqual([false, true, false]);
    expect(await values("signup >= '2024-01-01'")).toEqual([true, false, null]);
    expect(await values("seen_at < '2024-02-01 00:00'")).toEqual([true, null, false]);
  });

  it("chains if like a case", async () => {
    expect(await values("if(tenure > 24, 'loyal', tenure > 6, 'regular', 'new')")).toEqual(["regular", "loyal", "new"]);
    expect(await values("if(is_null(email), 'no email', 'has email')")).toEqual(["has email", "no email", "has email"]);
    expect(await values("if(active, tenure, null)")).toEqual([10, null, null]);
    // A condition that is empty counts as not holding.
    expect(await values("if(active, 'yes', 'no')")).toEqual(["yes", "no", "no"]);
  });

  it("has text functions", async () => {
    expect(await values("lower(name)")).toEqual(["alice", "bob", "  carol "]);
    expect(await values("upper(trim(name))")).toEqual(["ALICE", "BOB", "CAROL"]);
    expect(await values("length(name)")).toEqual([5, 3, 8]);
    expect(await values("concat(trim(name), ' #', id, ' ', active)")).toEqual(["Alice #1 true", "bob #2 false", "Carol #3 "]);
    expect(await values("trim(name) + '!'")).toEqual(["Alice!", "bob!", "Carol!"]);
    expect(await values("email + '!'")).toEqual(["alice@x.com!", null, "c@y.org!"]);
    expect(await values("contains(email, '@x.')")).toEqual([true, null, false]);
    expect(await values("starts_with(name, 'A')")).toEqual([true, false, false]);
    expect(await values("ends_with(email, '.org')")).toEqual([false, null, true]);
    expect(await values("replace(email, '@', ' at ')")).toEqual(["alice at x.com", null, "c at y.org"]);
    expect(await values("substr(name, 2, 3)")).toEqual(["lic", "ob", " Ca"]);
    expect(await values("substr(name, 3)")).toEqual(["ice", "b", "Carol "]);
  });

  it("has number functions", async () => {
    expect(await value("round(2.567, 2)")).toBe(2.57);
    expect(await value("round(2.5)")).toBe(3);
    expect(await value("floor(-2.5)")).toBe(-3);
    expect(await value("ceil(2.1)")).toBe(3);
    expect(await value("abs(-4)")).toBe(4);
    expect(await values("min(tenure, 12)")).toEqual([10, 12, 0]);
    expect(await values("max(tenure, 12)")).toEqual([12, 30, 12]);
    expect(await values("coalesce([Monthly Charges], 0)")).toEqual([29.5, 0, 100]);
    expect(await values("coalesce(email, 'none')")).toEqual(["alice@x.com", "none", "c@y.org"]);
    expect(await values("number('12.5') + number(' 3 ') + number(active)")).toEqual([16.5, 15.5, null]);
    expect(await value("number('abc')")).toBe(null);
    expect(await values("text(tenure) + 'm'")).toEqual(["10m", "30m", "0m"]);
  });

  it("has date functions", async () => {
    expect(await values("year(signup)")).toEqual([2024, 2023, null]);
    expect(await values("month(signup) * 100 + day(signup)")).toEqual([115, 1231, null]);
    expect(await values("date_diff('day', signup, '2024-02-01')")).toEqual([17, 32, null]);
    expect(await values("date_diff('days', signup, seen_at)")).toEqual([0, null, null]);
    expect(await values("date_diff('month', '2024-01-31', '2024-03-01')")).toEqual([2, 2, 2]);
    expect(await values("date_add(signup, 1, 'month')")).toEqual(["2024-02-15", "2024-01-31", null]);
    expect(await values("date_add(signup, -2, 'quarter')")).toEqual(["2023-07-15", "2023-06-30", null]);
    expect(await values("date_add(signup, 10, 'days')")).toEqual(["2024-01-25", "2024-01-10", null]);
    expect(await value("date_add('2024-01-15', 36, 'hour')")).toBe("2024-01-16");
    expect(await values("date(seen_at)")).toEqual(["2024-01-15", null, "2024-03-01"]);
    expect(await value("date('2024-02-29') = '2024-02-29'")).toBe(true);
    expect(await value("date('not a date')")).toBe(null);
    const today = new Date().toISOString().slice(0, 10);
    expect([today, new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)]).toContain(await value("today()"));
    expect(await values("date_diff('day', signup, today()) > 0")).toEqual([true, true, null]);
  });

  it("tests for empty values", async () => {
    expect(await values("is_null(email)")).toEqual([false, true, false]);
    expect(await values("not is_null([Monthly Charges])")).toEqual([true, false, true]);
    expect(await values("coalesce(null, null)")).toEqual([null, null, null]);
    expect(await values("lower(null)")).toEqual([null, null, null]);
    expect(await values("year(null)")).toEqual([null, null, null]);
  });
});

describe("hostile expressions", () => {
  it("refuses expressions over the length limit before reading them", () => {
    const long = "1" + " + 1".repeat(MAX_EXPRESSION_LENGTH);
    expect(error(long).message).toMatch(/^Expression is too long \(8,001 characters; the limit is 2,000\)/);
    expect(error(`'${"x".repeat(MAX_EXPRESSION_LENGTH)}'`).message).toMatch(/^Expression is too long/);
  });

  it("refuses deep nesting without overflowing the stack", () => {
    const deep = "(".repeat(900) + "1" + ")".repeat(900);
    expect(error(deep).message).toBe(`Expression is nested too deeply (more than ${MAX_NESTING} levels) at 1:${MAX_NESTING + 1}`);
    expect(error("not ".repeat(200) + "active").message).toMatch(/^Expression is nested too deeply/);
    expect(error("-".repeat(1500) + "1").message).toMatch(/^Expression is nested too deeply/);
    expect(error("lower(".repeat(100) + "name" + ")".repeat(100)).message).toMatch(/^Expression is nested too deeply/);
    // Just inside the limit is fine.
    const ok = "(".repeat(MAX_NESTING - 1) + "1" + ")".repeat(MAX_NESTING - 1);
    expect(compile(ok).type).toBe("number");
  });

  it("refuses operator chains deeper than the tree limit, accepts long flat ones", async () => {
    expect(error("1" + "+1".repeat(600)).message).toMatch(/^Expression is too complex/);
    expect(await value("1" + "+1".repeat(199))).toBe(200);
  });

  it("keeps injection attempts out of the SQL", async () => {
    // Unquoted: the quote opens text that never ends.
    expect(error("a'); DROP TABLE x; --").message).toMatch(/^Unterminated text .* at 1:2/);
    expect(error("1; DROP TABLE x").message).toBe('Unexpected character ";" at 1:2');
    expect(error("tenure -- comment").message).toBe('Unknown column "comment" at 1:11');
    // Quoted: it is just text.
    const attempts = [`a'); DROP TABLE x; --`, `'; SELECT 1; --`, `\\'`, "$$ x $$", "line\nbreak", `"double"`, "/* c */"];
    for (const text of attempts) {
      const src = `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''").replace(/\n/g, "\\n")}'`;
      expect(await value(src)).toBe(text);
    }
    expect(await value(`"a""); DROP TABLE x; --"`)).toBe(`a"); DROP TABLE x; --`);
    // Column names are quoted identifiers.
    expect(await values(`[we"ird; --]]]`)).toEqual(["v1", "v2", "v3"]);
    expect(error(`[x"; DROP TABLE t; --]`).message).toMatch(/^Unknown column "x\\"; DROP TABLE t; --" at 1:1/);
    // The only "--" a minus can make is inside parentheses: never a SQL comment.
    expect(compile("1 - -1").sql).not.toContain("--");
    expect(compile("tenure - - - 1").sql).not.toContain("--");
  });

  it("knows no functions beyond its own (nothing from the JavaScript object prototype)", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      expect(error(`${name}(1)`).message).toMatch(new RegExp(`^Unknown function "${name.toLowerCase()}" at 1:1`));
      expect(error(name).message).toMatch(new RegExp(`^Unknown column "${name}" at 1:1`));
    }
  });

  it("either refuses a random expression with a positioned error or compiles it to SQL DuckDB accepts", async () => {
    let seed = 20240611;
    const rand = () => {
      // mulberry32: a small seeded generator, so a failure can be replayed.
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pickOne = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const leaves = ["id", "name", "email", "tenure", "[Monthly Charges]", "signup", "seen_at", "active", "0", "2", "12.5", "'x'", "'2024-01-31'", "\"day\"", "true", "null"];
    const ops = ["+", "-", "*", "/", "%", "=", "!=", "<", ">=", "and", "or"];
    const fns = ["if", "lower", "upper", "trim", "length", "concat", "contains", "starts_with", "replace", "substr", "round", "floor", "ceil", "abs", "min", "max", "coalesce", "year", "month", "day", "date_diff", "today", "date_add", "is_null", "number", "text", "date"];
    const gen = (depth: number): string => {
      const r = rand();
      if (depth === 0 || r < 0.3) return pickOne(leaves);
      if (r < 0.55) return `(${gen(depth - 1)} ${pickOne(ops)} ${gen(depth - 1)})`;
      if (r < 0.6) return `not ${gen(depth - 1)}`;
      if (r < 0.65) return `-${gen(depth - 1)}`;
      const fn = pickOne(fns);
      const args = Array.from({ length: Math.floor(rand() * 4) }, () => gen(depth - 1));
      return `${fn}(${args.join(", ")})`;
    };
    let compiled = 0;
    for (let i = 0; i < 1500; i++) {
      const src = gen(4);
      let sql: string;
      try {
        sql = compile(src).sql;
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw new Error(`${src}: ${String(err)}`);
        expect(err.message).toMatch(/ at \d+:\d+/);
        continue;
      }
      compiled++;
      try {
        await ds.query(`SELECT ${sql} AS v FROM ${ds.from(people)}`);
      } catch (err) {
        throw new Error(`${src} compiled to SQL DuckDB refused: ${sql}\n${String(err)}`);
      }
    }
    expect(compiled).toBeGreaterThan(300);
  });

  it("refuses NUL characters and stray symbols", () => {
    expect(error("'a\0b'").message).toMatch(/^Unexpected NUL character/);
    expect(error("tenure ` 1").message).toMatch(/^Unexpected character "`"/);
    expect(error("tenure \\ 1").message).toMatch(/^Unexpected character "\\\\"/);
  });
});
