// The expression language's recursive-descent parser: tokens (expression-tokenize.ts) → syntax
// tree (see expression.ts for the language and how the tree becomes SQL).
import { ExpressionError, KEYWORDS, MAX_EXPRESSION_LENGTH, MAX_NESTING, MAX_TREE_DEPTH, show, tokenize, type Token } from "./expression-tokenize";

export { ExpressionError, MAX_EXPRESSION_LENGTH, MAX_NESTING, MAX_TREE_DEPTH, show } from "./expression-tokenize";
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

const BARE_IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** How to write a column name in an expression: bare when it can be, else in [brackets]. */
export function columnReference(name: string): string {
  return BARE_IDENT.test(name) && !KEYWORDS.has(name.toLowerCase()) ? name : `[${name.replace(/]/g, "]]")}]`;
}
