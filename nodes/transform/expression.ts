// A small expression language for derived columns, e.g. `if(tenure > 12, 'loyal', 'new')`.
//
// Source text is read by a hand-written tokenizer and recursive-descent parser into a syntax tree,
// the tree is type-checked against the input columns, and then compiled to DuckDB SQL. The SQL is
// built only from the tree: column names go through `ident()`, text through `literal()`, numbers
// are re-formatted from validated digits, and everything else is a fixed keyword or function name
// of ours. No part of the source text is ever pasted into SQL.
//
// Also the shared column-type helpers of the transform nodes (`valueTypeOf`, `sameFamily`).

import type { Column } from "../sdk";

/** Longest expression accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 2_000;
/** Deepest nesting of parentheses, function calls, `not` and unary minus. */
export const MAX_NESTING = 64;
/** Deepest syntax tree (long operator chains such as `a + b + c + ...` count too). */
export const MAX_TREE_DEPTH = 256;

/** What an expression (or a column, as the expression sees it) holds. `null`: the literal `null`. */
export type ValueType = "number" | "text" | "boolean" | "date" | "timestamp" | "null" | "other";

export interface ExprColumn {
  name: string;
  type: ValueType;
}

/** Quoting for SQL; the dataset store's `ident` and `literal`. */
export interface SqlQuoting {
  ident(name: string): string;
  literal(value: string): string;
}

// ---------------------------------------------------------------------------------------------
// Column types

const NUMERIC_TYPE =
  /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC)(\s*\(.*\))?$/;
const INTEGER_TYPE = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;

/** The expression type of a DuckDB column type (VARCHAR → text, BIGINT/DOUBLE/DECIMAL(…) → number, …). */
export function valueTypeOf(duckdbType: string): ValueType {
  const t = duckdbType.trim().toUpperCase();
  if (NUMERIC_TYPE.test(t)) return "number";
  if (t === "VARCHAR" || t.startsWith("VARCHAR(") || t === "TEXT" || t === "STRING") return "text";
  if (t === "BOOLEAN" || t === "BOOL") return "boolean";
  if (t === "DATE") return "date";
  if (t.startsWith("TIMESTAMP")) return "timestamp";
  return "other";
}

/** A whole-number DuckDB type (whose sum DuckDB widens to HUGEINT). */
export function isIntegerType(duckdbType: string): boolean {
  return INTEGER_TYPE.test(duckdbType.trim().toUpperCase());
}

/** Whether values of the two types can be compared or joined without an explicit conversion. */
export function sameFamily(a: ValueType, b: ValueType): boolean {
  const fam = (t: ValueType) => (t === "timestamp" ? "date" : t);
  return a !== "other" && b !== "other" && fam(a) === fam(b);
}

export function exprColumns(columns: readonly Column[]): ExprColumn[] {
  return columns.map((c) => ({ name: c.name, type: valueTypeOf(c.type) }));
}

/** A human word for a type, for messages. */
function typeWord(t: ValueType): string {
  switch (t) {
    case "number":
      return "a number";
    case "text":
      return "text";
    case "boolean":
      return "true/false";
    case "date":
      return "a date";
    case "timestamp":
      return "a date and time";
    case "null":
      return "null";
    default:
      return "a value of an unsupported type";
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

/** A problem in the expression, with its position: `Expected ")" at 1:15`. */
export class ExpressionError extends Error {
  /** 0-based offset into the source. */
  readonly offset: number;
  /** 1-based line and column. */
  readonly line: number;
  readonly column: number;

  constructor(what: string, source: string, offset: number, hint?: string) {
    const { line, column } = lineColumn(source, offset);
    super(`${what} at ${line}:${column}${hint ? ` ${hint}` : ""}`);
    this.name = "ExpressionError";
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}

function lineColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, Math.max(0, Math.min(offset, source.length)));
  const lines = before.split("\n");
  // Count characters, not UTF-16 units, so an emoji is one column.
  return { line: lines.length, column: [...lines[lines.length - 1]!].length + 1 };
}

// ---------------------------------------------------------------------------------------------
// Tokens

type TokenKind = "number" | "string" | "ident" | "bracket" | "op" | "eof";

interface Token {
  kind: TokenKind;
  /** The source text of the token (for messages). */
  text: string;
  /** Unescaped value: the string's content, the bracketed name, the identifier, the operator. */
  value: string;
  pos: number;
}

const OPERATORS = ["<=", ">=", "!=", "<>", "==", "(", ")", ",", "+", "-", "*", "/", "%", "=", "<", ">"];
const KEYWORDS = new Set(["and", "or", "not", "true", "false", "null"]);
const IDENT_START = /^[\p{L}_]$/u;
const IDENT_PART = /^[\p{L}\p{N}_]$/u;
const isDigit = (ch: string | undefined) => ch !== undefined && ch >= "0" && ch <= "9";

function show(text: string): string {
  return JSON.stringify(text);
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  const fail = (what: string, at: number, hint?: string): never => {
    throw new ExpressionError(what, src, at, hint);
  };
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(ch) || (ch === "." && isDigit(src[i + 1]))) {
      while (isDigit(src[i])) i++;
      if (src[i] === "." && isDigit(src[i + 1])) {
        i++;
        while (isDigit(src[i])) i++;
      }
      if ((src[i] === "e" || src[i] === "E") && (isDigit(src[i + 1]) || ((src[i + 1] === "+" || src[i + 1] === "-") && isDigit(src[i + 2])))) {
        i += 2;
        while (isDigit(src[i])) i++;
      }
      if (i < src.length && (IDENT_PART.test(src[i]!) || src[i] === ".")) fail(`Unexpected ${show(src[i]!)} after the number`, i);
      const text = src.slice(start, i);
      tokens.push({ kind: "number", text, value: text, pos: start });
      continue;
    }
    if (ch === "'" || ch === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= src.length) fail("Unterminated text (no closing " + ch + ")", start);
        const c = src[i]!;
        if (c === ch) {
          if (src[i + 1] === ch) {
            value += ch; // a doubled quote stands for one
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === "\\" && i + 1 < src.length) {
          const n = src[i + 1]!;
          const esc = n === "n" ? "\n" : n === "t" ? "\t" : n === "\\" || n === "'" || n === '"' ? n : undefined;
          if (esc !== undefined) {
            value += esc;
            i += 2;
            continue;
          }
        }
        if (c === "\0") fail("Unexpected NUL character in text", i);
        value += c;
        i++;
      }
      tokens.push({ kind: "string", text: src.slice(start, i), value, pos: start });
      continue;
    }
    if (ch === "[") {
      let value = "";
      i++;
      for (;;) {
        if (i >= src.length) fail('Unterminated column name (no closing "]")', start);
        const c = src[i]!;
        if (c === "]") {
          if (src[i + 1] === "]") {
            value += "]"; // `]]` stands for one `]`
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === "\0") fail("Unexpected NUL character in a column name", i);
        value += c;
        i++;
      }
      if (value === "") fail("Empty column name []", start);
      tokens.push({ kind: "bracket", text: src.slice(start, i), value, pos: start });
      continue;
    }
    if (IDENT_START.test(ch)) {
      while (i < src.length && IDENT_PART.test(src[i]!)) i++;
      const text = src.slice(start, i);
      tokens.push({ kind: "ident", text, value: text, pos: start });
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      i += op.length;
      tokens.push({ kind: "op", text: op, value: op, pos: start });
      continue;
    }
    const hint =
      ch === "&" || ch === "|"
        ? '(use "and" / "or")'
        : ch === "!"
          ? '(use "not" or "!=")'
          : ch === "`"
            ? "(put column names with spaces in [brackets], text in 'quotes')"
            : undefined;
    fail(`Unexpected character ${show(ch)}`, start, hint);
  }
  tokens.push({ kind: "eof", text: "", value: "", pos: src.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Syntax tree

export type BinaryOp = "or" | "and" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%";

interface NodeBase {
  /** Offset of the node's first character (of the operator, for binary nodes). */
  pos: number;
  /** Height of the subtree (a leaf is 1). */
  depth: number;
}

export type Expr =
  | (NodeBase & { kind: "number"; text: string })
  | (NodeBase & { kind: "string"; value: string })
  | (NodeBase & { kind: "boolean"; value: boolean })
  | (NodeBase & { kind: "null" })
  | (NodeBase & { kind: "column"; name: string })
  | (NodeBase & { kind: "unary"; op: "-" | "not"; operand: Expr })
  | (NodeBase & { kind: "binary"; op: BinaryOp; left: Expr; right: Expr })
  | (NodeBase & { kind: "call"; name: string; args: Expr[] });

const COMPARISONS: Record<string, BinaryOp> = { "=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };

class Parser {
  private readonly tokens: Token[];
  private at = 0;
  private nesting = 0;

  constructor(private readonly src: string) {
    this.tokens = tokenize(src);
  }

  parse(): Expr {
    if (this.peek().kind === "eof") this.fail("Empty expression", 0);
    const expr = this.expression();
    const t = this.peek();
    if (t.kind !== "eof") {
      const hint = t.kind === "op" && t.value === ")" ? '(there is no "(" to close)' : '(expected an operator such as "+", "=" or "and")';
      this.fail(`Unexpected ${show(t.text)}`, t.pos, hint);
    }
    return expr;
  }

  private fail(what: string, at: number, hint?: string): never {
    throw new ExpressionError(what, this.src, at, hint);
  }

  private peek(): Token {
    return this.tokens[this.at]!;
  }

  private next(): Token {
    const t = this.tokens[this.at]!;
    if (t.kind !== "eof") this.at++;
    return t;
  }

  private isOp(value: string): boolean {
    const t = this.peek();
    return t.kind === "op" && t.value === value;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === "ident" && t.value.toLowerCase() === word;
  }

  private found(t: Token): string {
    return t.kind === "eof" ? "" : `(found ${show(t.text)})`;
  }

  private expect(op: string): Token {
    const t = this.peek();
    if (t.kind !== "op" || t.value !== op) this.fail(`Expected ${show(op)}`, t.pos, this.found(t) || undefined);
    return this.next();
  }

  /** Runs `fn` one nesting level deeper; refuses to go past MAX_NESTING (keeps the stack safe). */
  private nested<T>(pos: number, fn: () => T): T {
    if (++this.nesting > MAX_NESTING) this.fail(`Expression is nested too deeply (more than ${MAX_NESTING} levels)`, pos);
    try {
      return fn();
    } finally {
      this.nesting--;
    }
  }

  private depth(depth: number, pos: number): number {
    if (depth > MAX_TREE_DEPTH) this.fail(`Expression is too complex (more than ${MAX_TREE_DEPTH} operations deep)`, pos);
    return depth;
  }

  private binary(op: BinaryOp, left: Expr, right: Expr, pos: number): Expr {
    return { kind: "binary", op, left, right, pos, depth: this.depth(Math.max(left.depth, right.depth) + 1, pos) };
  }

  private expression(): Expr {
    return this.nested(this.peek().pos, () => this.or());
  }

  private or(): Expr {
    let left = this.and();
    while (this.isKeyword("or")) {
      const pos = this.next().pos;
      left = this.binary("or", left, this.and(), pos);
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isKeyword("and")) {
      const pos = this.next().pos;
      left = this.binary("and", left, this.not(), pos);
    }
    return left;
  }

  private not(): Expr {
    if (this.isKeyword("not")) {
      const pos = this.next().pos;
      const operand = this.nested(pos, () => this.not());
      return { kind: "unary", op: "not", operand, pos, depth: this.depth(operand.depth + 1, pos) };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.additive();
    const t = this.peek();
    const op = t.kind === "op" ? COMPARISONS[t.value] : undefined;
    if (!op) return left;
    this.next();
    const right = this.additive();
    const after = this.peek();
    if (after.kind === "op" && COMPARISONS[after.value]) {
      this.fail("Comparisons cannot be chained", after.pos, '(combine them with "and", e.g. a < b and b < c)');
    }
    return this.binary(op, left, right, t.pos);
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isOp("+") || this.isOp("-")) {
      const t = this.next();
      left = this.binary(t.value as BinaryOp, left, this.multiplicative(), t.pos);
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const t = this.next();
      left = this.binary(t.value as BinaryOp, left, this.unary(), t.pos);
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp("-") || this.isOp("+")) {
      const t = this.next();
      const operand = this.nested(t.pos, () => this.unary());
      if (t.value === "+") return operand;
      return { kind: "unary", op: "-", operand, pos: t.pos, depth: this.depth(operand.depth + 1, t.pos) };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case "number":
        this.next();
        return { kind: "number", text: t.value, pos: t.pos, depth: 1 };
      case "string":
        this.next();
        return { kind: "string", value: t.value, pos: t.pos, depth: 1 };
      case "bracket":
        this.next();
        return { kind: "column", name: t.value, pos: t.pos, depth: 1 };
      case "ident": {
        const word = t.value.toLowerCase();
        if (word === "true" || word === "false") {
          this.next();
          return { kind: "boolean", value: word === "true", pos: t.pos, depth: 1 };
        }
        if (word === "null") {
          this.next();
          return { kind: "null", pos: t.pos, depth: 1 };
        }
        if (KEYWORDS.has(word)) {
          const hint = word === "not" ? `(found "not"; put "not ..." in parentheses)` : `(found ${show(t.text)}; a column with that name must be written [${t.text}])`;
          this.fail("Expected a value", t.pos, hint);
        }
        this.next();
        if (this.isOp("(")) return this.call(t);
        return { kind: "column", name: t.value, pos: t.pos, depth: 1 };
      }
      case "op":
        if (t.value === "(") {
          this.next();
          const inner = this.expression();
          this.expect(")");
          return inner;
        }
        return this.fail("Expected a value", t.pos, this.found(t));
      default:
        return this.fail("Expected a value", t.pos, "(the expression ends too early)");
    }
  }

  private call(name: Token): Expr {
    this.expect("(");
    const args: Expr[] = [];
    if (!this.isOp(")")) {
      for (;;) {
        args.push(this.expression());
        if (!this.isOp(",")) break;
        this.next();
      }
    }
    this.expect(")");
    const depth = this.depth(args.reduce((d, a) => Math.max(d, a.depth), 0) + 1, name.pos);
    return { kind: "call", name: name.value.toLowerCase(), args, pos: name.pos, depth };
  }
}

/** Parse an expression into its syntax tree; ExpressionError (with position) when it is not valid. */
export function parseExpression(source: string): Expr {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(
      `Expression is too long (${source.length.toLocaleString("en-US")} characters; the limit is ${MAX_EXPRESSION_LENGTH.toLocaleString("en-US")})`,
      source,
      MAX_EXPRESSION_LENGTH,
    );
  }
  return new Parser(source).parse();
}

// ---------------------------------------------------------------------------------------------
// Type checking and SQL

interface Typed {
  sql: string;
  type: ValueType;
  node: Expr;
}

interface FunctionSpec {
  /** How it is written, for messages: `round(number, digits)`. */
  usage: string;
  min: number;
  max: number;
  compile(c: Compiler, args: Expr[], call: Expr): { sql: string; type: ValueType };
}

const NULL_SQL: Record<Exclude<ValueType, "null" | "other">, string> = {
  number: "CAST(NULL AS DOUBLE)",
  text: "CAST(NULL AS VARCHAR)",
  boolean: "CAST(NULL AS BOOLEAN)",
  date: "CAST(NULL AS DATE)",
  timestamp: "CAST(NULL AS TIMESTAMP)",
};

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

const DATE_UNITS = ["day", "week", "month", "quarter", "year"] as const;
const TIME_UNITS = ["hour", "minute", "second"] as const;

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

const BARE_IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** How to write a column name in an expression: bare when it can be, else in [brackets]. */
export function columnReference(name: string): string {
  return BARE_IDENT.test(name) && !KEYWORDS.has(name.toLowerCase()) ? name : `[${name.replace(/]/g, "]]")}]`;
}

class Compiler {
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
          const near = closest(node.name, Object.keys(FUNCTIONS));
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
function functionSpec(name: string): FunctionSpec | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}

/** Names of the functions the language knows, for help texts. */
export const FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS);

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
