// A small expression language for derived columns, e.g. `if(tenure > 12, 'loyal', 'new')`.
//
// Source text is read by a hand-written tokenizer and recursive-descent parser into a syntax tree,
// the tree is type-checked against the input columns, and then compiled to DuckDB SQL. The SQL is
// built only from the tree: column names go through `ident()`, text through `literal()`, numbers
// are re-formatted from validated digits, and everything else is a fixed keyword or function name
// of ours. No part of the source text is ever pasted into SQL.
//
// The tokenizer and parser are in expression-parse.ts, the function table in
// expression-functions.ts; this file type-checks and compiles (and re-exports what others use).
//
// The shared column-type helpers of the transform nodes (`valueTypeOf`, `sameFamily`) are in
// expression-types.ts, re-exported here.

import { FUNCTION_NAMES, functionSpec, NULL_SQL, type Typed } from "./expression-functions";
import { columnReference, ExpressionError, parseExpression, show, type Expr } from "./expression-parse";
import { typeWord, type ExprColumn, type ValueType } from "./expression-types";

export {
  MAX_EXPRESSION_LENGTH,
  MAX_NESTING,
  MAX_TREE_DEPTH,
  ExpressionError,
  parseExpression,
  columnReference,
  type BinaryOp,
  type Expr,
} from "./expression-parse";
export { FUNCTION_NAMES } from "./expression-functions";
export { exprColumns, isIntegerType, sameFamily, valueTypeOf, type ExprColumn, type ValueType } from "./expression-types";

/** Quoting for SQL; the dataset store's `ident` and `literal`. */
export interface SqlQuoting {
  ident(name: string): string;
  literal(value: string): string;
}

// ---------------------------------------------------------------------------------------------
// Type checking and SQL

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?$/;

/** A date literal written as text, e.g. '2024-01-31' or '2024-01-31 08:30': its type, or undefined. */
function dateTextType(text: string): "date" | "timestamp" | undefined {
  const m = DATE_TEXT.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h = "0", mi = "0", s = "0"] = m.slice(1).map((v) => v ?? undefined) as string[];
  const when = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const valid =
    when.getUTCFullYear() === Number(y) &&
    when.getUTCMonth() === Number(mo) - 1 &&
    when.getUTCDate() === Number(d) &&
    Number(h) < 24 &&
    Number(mi) < 60 &&
    Number(s) < 60;
  if (!valid) return undefined;
  return m[4] === undefined ? "date" : "timestamp";
}

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate: same spelling ignoring case first, else a small edit distance. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const lower = name.toLowerCase();
  const sameCase = list.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  for (const c of list) {
    const d = levenshtein(lower, c.toLowerCase());
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export class Compiler {
  private readonly columns = new Map<string, ValueType>();

  constructor(
    private readonly src: string,
    columns: readonly ExprColumn[],
    private readonly q: SqlQuoting,
  ) {
    for (const c of columns) this.columns.set(c.name, c.type);
  }

  fail(what: string, at: number, hint?: string): never {
    throw new ExpressionError(what, this.src, at, hint);
  }

  /** A hint for text in quotes that is really a column name: "tenure" is text, not the column. */
  private quotedColumnHint(node: Expr): string | undefined {
    if (node.kind === "string" && this.columns.has(node.value)) return `(${show(node.value)} in quotes is text; for the column write ${columnReference(node.value)})`;
    return undefined;
  }

  compile(node: Expr): Typed {
    const { sql, type } = this.compileNode(node);
    return { sql, type, node };
  }

  private compileNode(node: Expr): { sql: string; type: ValueType } {
    switch (node.kind) {
      case "number":
        return { sql: this.numberSql(node.text, node.pos), type: "number" };
      case "string":
        return { sql: this.q.literal(node.value), type: "text" };
      case "boolean":
        return { sql: node.value ? "TRUE" : "FALSE", type: "boolean" };
      case "null":
        return { sql: "NULL", type: "null" };
      case "column": {
        const type = this.columns.get(node.name);
        if (type === undefined) {
          const near = closest(node.name, this.columns.keys());
          const fn = functionSpec(node.name.toLowerCase());
          const hint = near !== undefined ? `(did you mean ${show(near)}?)` : fn ? `(did you mean ${node.name.toLowerCase()}()?)` : undefined;
          this.fail(`Unknown column ${show(node.name)}`, node.pos, hint);
        }
        return { sql: this.q.ident(node.name), type };
      }
      case "unary": {
        const operand = this.compile(node.operand);
        if (node.op === "not") return { sql: `(NOT ${this.want(operand, ["boolean"], '"not"')})`, type: "boolean" };
        return { sql: `(- ${this.want(operand, ["number"], 'minus "-"')})`, type: "number" };
      }
      case "binary":
        return this.binary(node);
      case "call": {
        const spec = functionSpec(node.name);
        if (!spec) {
          const near = closest(node.name, FUNCTION_NAMES);
          this.fail(`Unknown function ${show(node.name)}`, node.pos, near ? `(did you mean ${near}()?)` : undefined);
        }
        if (node.args.length < spec.min || node.args.length > spec.max) {
          const count = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
          this.fail(`${node.name}() takes ${count} argument${count === "1" ? "" : "s"}, not ${node.args.length}`, node.pos, `(usage: ${spec.usage})`);
        }
        return spec.compile(this, node.args, node);
      }
    }
  }

  private numberSql(text: string, pos: number): string {
    const plain = /^(\d*)(?:\.(\d+))?$/.exec(text);
    if (plain) {
      const whole = plain[1]!.replace(/^0+(?=\d)/, "") || "0";
      const frac = plain[2];
      // Up to 18 digits: DuckDB reads it exactly (INTEGER/BIGINT or DECIMAL).
      if (whole.length + (frac?.length ?? 0) <= 18) return frac === undefined ? whole : `${whole}.${frac}`;
    }
    const n = Number(text);
    if (!Number.isFinite(n)) this.fail(`Number ${text} is too large`, pos);
    return `CAST(${this.q.literal(String(n))} AS DOUBLE)`;
  }

  /**
   * The SQL of `arg` when it has one of the `allowed` types; a typed NULL for the literal null,
   * and a date for a date written as text ('2024-01-31') where a date is allowed.
   */
  want(arg: Typed, allowed: readonly ValueType[], what: string): string {
    if (arg.type === "null") return NULL_SQL[allowed[0] as keyof typeof NULL_SQL] ?? "NULL";
    if (allowed.includes(arg.type)) return arg.sql;
    if (arg.node.kind === "string" && (allowed.includes("date") || allowed.includes("timestamp"))) {
      const t = dateTextType(arg.node.value);
      if (t) return `CAST(${this.q.literal(arg.node.value)} AS ${t === "date" && allowed.includes("date") ? "DATE" : "TIMESTAMP"})`;
      this.fail(`${show(arg.node.value)} is not a date`, arg.node.pos, "(write dates as 'YYYY-MM-DD')");
    }
    const words = allowed.map(typeWord);
    const expected = words.length === 1 ? words[0]! : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
    this.fail(`${what} needs ${expected}, not ${typeWord(arg.type)}`, arg.node.pos, this.quotedColumnHint(arg.node));
  }

  /** The common type of several values (if branches, coalesce, min/max), with each value's SQL. */
  unify(items: Typed[], what: string, allowed?: readonly ValueType[], mismatch?: (a: ValueType, b: ValueType) => string): { sqls: string[]; type: ValueType } {
    const known = items.filter((i) => i.type !== "null");
    const temporal = known.filter((i) => i.type === "date" || i.type === "timestamp");
    // Dates win over text: text literals next to a date are read as dates ('2024-01-31').
    const type: ValueType = known.length === 0 ? "null" : temporal.length ? (temporal.some((i) => i.type === "timestamp") ? "timestamp" : "date") : known[0]!.type;
    for (const item of known) {
      if (item.type === "other") this.fail(`${what} cannot use ${typeWord(item.type)}`, item.node.pos);
      const fits = item.type === type || (temporal.length > 0 && (item.type === "date" || item.type === "timestamp" || item.node.kind === "string"));
      if (!fits) {
        const message = mismatch ? mismatch(type, item.type) : `${what}: the values have different types (${typeWord(type)} and ${typeWord(item.type)})`;
        this.fail(message, item.node.pos, this.quotedColumnHint(item.node) ?? this.quotedColumnHint(known[0]!.node));
      }
    }
    if (allowed && type !== "null" && !allowed.includes(type)) this.fail(`${what} cannot use ${typeWord(type)}`, known[0]!.node.pos);
    if (type === "null") return { sqls: items.map((i) => i.sql), type };
    const accept: ValueType[] = type === "timestamp" ? ["timestamp", "date"] : [type];
    return { sqls: items.map((i) => this.want(i, accept, what)), type };
  }

  /** A date or date-and-time value (dates written as text are read as such), with its type. */
  temporal(arg: Typed, what: string): { sql: string; type: "date" | "timestamp" } {
    const sql = this.want(arg, ["date", "timestamp"], what);
    if (arg.type === "timestamp") return { sql, type: "timestamp" };
    if (arg.node.kind === "string") return { sql, type: dateTextType(arg.node.value) === "timestamp" ? "timestamp" : "date" };
    return { sql, type: "date" };
  }

  private binary(node: Extract<Expr, { kind: "binary" }>): { sql: string; type: ValueType } {
    const left = this.compile(node.left);
    const right = this.compile(node.right);
    const op = node.op;
    if (op === "and" || op === "or") {
      const l = this.want(left, ["boolean"], `"${op}"`);
      const r = this.want(right, ["boolean"], `"${op}"`);
      return { sql: `(${l} ${op.toUpperCase()} ${r})`, type: "boolean" };
    }
    if (op === "+" && (left.type === "text" || right.type === "text")) {
      // Text + text joins them (empty if either is empty; concat() skips empty values instead).
      for (const side of [left, right]) {
        if (side.type !== "text" && side.type !== "null") {
          this.fail(`"+" cannot join text and ${typeWord(side.type)}`, side.node.pos, "(use concat(a, b), which writes numbers and dates as text)");
        }
      }
      return { sql: `(${this.want(left, ["text"], '"+"')} || ${this.want(right, ["text"], '"+"')})`, type: "text" };
    }
    if (op === "+" || op === "-" || op === "*" || op === "/" || op === "%") {
      if ((left.type === "date" || left.type === "timestamp") && (op === "+" || op === "-")) {
        this.fail(`"${op}" cannot be used on dates`, node.pos, "(use date_add(date, n, 'day') or date_diff('day', from, to))");
      }
      const l = this.want(left, ["number"], `"${op}"`);
      const r = this.want(right, ["number"], `"${op}"`);
      // Division (and remainder) by zero give an empty value, not an error or infinity.
      return { sql: op === "/" || op === "%" ? `(${l} ${op} NULLIF(${r}, 0))` : `(${l} ${op} ${r})`, type: "number" };
    }
    // Comparison.
    for (const side of [left, right]) {
      if (side.type === "null") this.fail(`Cannot compare with null`, side.node.pos, "(use is_null(x) to test for an empty value)");
    }
    const { sqls, type } = this.unify([left, right], `"${op}"`, undefined, (a, b) => `Cannot compare ${typeWord(a)} with ${typeWord(b)}`);
    if (type === "boolean" && op !== "=" && op !== "!=") this.fail(`"${op}" cannot compare true/false values`, node.pos, '(use "=" or "!=")');
    const sqlOp = op === "!=" ? "<>" : op;
    return { sql: `(${sqls[0]} ${sqlOp} ${sqls[1]})`, type: "boolean" };
  }

  /** A unit given as text literal: 'day', 'days', 'month', ... */
  unit(arg: Expr, fn: string, units: readonly string[]): string {
    if (arg.kind !== "string") this.fail(`${fn}(): the unit must be written as text, e.g. 'day'`, arg.pos);
    const raw = arg.value.trim().toLowerCase();
    const unit = units.includes(raw) ? raw : raw.endsWith("s") && units.includes(raw.slice(0, -1)) ? raw.slice(0, -1) : undefined;
    if (!unit) this.fail(`${fn}(): unknown unit ${show(arg.value)}`, arg.pos, `(use ${units.map((u) => `'${u}'`).join(", ")})`);
    return unit;
  }

  literal(value: string): string {
    return this.q.literal(value);
  }

  integer(arg: Typed, what: string, type = "INTEGER"): string {
    return `CAST(${this.want(arg, ["number"], what)} AS ${type})`;
  }
}


export interface CompiledExpression {
  /** A DuckDB SQL expression over the input columns. */
  sql: string;
  /** What it gives; never "null" (an expression that is always null is text). */
  type: Exclude<ValueType, "null">;
}

/**
 * Parse, type-check and compile an expression over the given columns to DuckDB SQL.
 * ExpressionError (with line:column) for any mistake.
 */
export function compileExpression(source: string, columns: readonly ExprColumn[], q: SqlQuoting): CompiledExpression {
  const tree = parseExpression(source);
  const out = new Compiler(source, columns, q).compile(tree);
  if (out.type === "null") return { sql: NULL_SQL.text, type: "text" };
  if (out.type === "other") throw new ExpressionError("The result has an unsupported type", source, 0);
  return { sql: out.sql, type: out.type };
}
