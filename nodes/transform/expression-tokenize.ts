// The expression language's limits, its error and its tokenizer: source text → tokens (parsed by
// expression-parse.ts; see expression.ts for the language and how the tree becomes SQL).

/** Longest expression accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 2_000;
/** Deepest nesting of parentheses, function calls, `not` and unary minus. */
export const MAX_NESTING = 64;
/** Deepest syntax tree (long operator chains such as `a + b + c + ...` count too). */
export const MAX_TREE_DEPTH = 256;

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

export type TokenKind = "number" | "string" | "ident" | "bracket" | "op" | "eof";

export interface Token {
  kind: TokenKind;
  /** The source text of the token (for messages). */
  text: string;
  /** Unescaped value: the string's content, the bracketed name, the identifier, the operator. */
  value: string;
  pos: number;
}

const OPERATORS = ["<=", ">=", "!=", "<>", "==", "(", ")", ",", "+", "-", "*", "/", "%", "=", "<", ">"];
export const KEYWORDS = new Set(["and", "or", "not", "true", "false", "null"]);
const IDENT_START = /^[\p{L}_]$/u;
const IDENT_PART = /^[\p{L}\p{N}_]$/u;
const isDigit = (ch: string | undefined) => ch !== undefined && ch >= "0" && ch <= "9";

/** Quoted for messages: `"tenure"`. */
export function show(text: string): string {
  return JSON.stringify(text);
}

export function tokenize(src: string): Token[] {
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
