// A streaming JSON syntax checker over bytes. DuckDB reports malformed JSON by record number and
// byte offset within the record (one line too far for NDJSON), and crashes the process on objects
// nested some 17,000 deep; this finds physical lines and refuses such depth before DuckDB reads.
// It builds no values, so nothing of the file's content reaches JS objects. Running it over a file
// (the first problem, a record's line, depth, dropping bad lines) is in ./json-file-checks.ts.

/** One JSON array (DuckDB's 'array'), one value per line ('newline_delimited'), or values one after another. */
export type JsonLayout = "array" | "lines" | "sequence";

export interface JsonProblem {
  line: number;
  message: string;
}

// What may come next.
const TOP = 0; // a top-level value (or, for lines, a blank line)
const AFTER_TOP = 1; // after a top-level value
const VALUE = 2; // after ':' or ',' in an array
const VALUE_OR_END = 3; // after '['
const KEY = 4; // after ',' in an object
const KEY_OR_END = 5; // after '{'
const COLON = 6;
const NEXT = 7; // ',' or the container's end

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const LITERAL = /^(?:true|false|null)$/;
// DuckDB reads JSON with yyjson's "allow inf and nan" flag: these are values there (read as NULL).
const NON_FINITE = /^-?(?:nan|inf|infinity)$/i;
const TOKEN_CHAR = /[0-9A-Za-z+\-.]/;

export class JsonChecker {
  line = 1;
  problem?: JsonProblem;
  /** Top-level records seen: array elements for "array", top-level values otherwise. */
  records = 0;
  private readonly stack: boolean[] = []; // true for an object
  private expect = TOP;
  private str = 0; // 0 outside a string, 1 inside, 2 after a backslash, 3-6 reading \u hex digits
  private strIsKey = false;
  private utf8Left = 0;
  private token = "";
  private arrayDone = false;
  private afterComma = false;

  constructor(
    private readonly layout: JsonLayout,
    /** Called as each record starts; returning true stops the check. */
    private readonly onRecord?: (record: number, line: number) => boolean,
  ) {}

  private fail(message: string): false {
    this.problem = { line: this.line, message };
    return false;
  }

  private startValue(): boolean {
    if (this.stack.length === (this.layout === "array" ? 1 : 0)) {
      this.records++;
      if (this.onRecord?.(this.records, this.line)) return false;
    }
    return true;
  }

  private endValue(): void {
    if (this.stack.length === 0) {
      this.expect = AFTER_TOP;
      if (this.layout === "array") this.arrayDone = true;
    } else this.expect = NEXT;
  }

  private endToken(): boolean {
    const t = this.token;
    this.token = "";
    if (!NUMBER.test(t) && !LITERAL.test(t) && !NON_FINITE.test(t)) {
      return this.fail(LITERAL.test(t.toLowerCase()) ? `"${t}" must be lower case` : `"${t}" is not a JSON value`);
    }
    this.endValue();
    return true;
  }

  private expectsValue(): boolean {
    return this.expect === VALUE || this.expect === VALUE_OR_END || this.expect === TOP || (this.expect === AFTER_TOP && this.layout === "sequence");
  }

  /** Feeds the next bytes; false once a problem is found or `onRecord` stopped the check. */
  feed(buf: Uint8Array): boolean {
    if (this.problem) return false;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (this.str !== 0) {
        if (!this.stringByte(b)) return false;
        continue;
      }
      if (this.token) {
        if (b < 0x80 && TOKEN_CHAR.test(String.fromCharCode(b))) {
          if (this.token.length > 400) return this.fail("a number or word that is far too long");
          this.token += String.fromCharCode(b);
          continue;
        }
        if (!this.endToken()) return false;
      }
      if (!this.structuralByte(b)) return false;
    }
    return true;
  }

  private stringByte(b: number): boolean {
    if (this.str === 2) {
      if (b === 0x75) this.str = 3;
      else if ('"\\/bfnrt'.includes(String.fromCharCode(b))) this.str = 1;
      else return this.fail("an invalid escape (\\) in a string");
    } else if (this.str >= 3) {
      if (!/[0-9a-fA-F]/.test(String.fromCharCode(b))) return this.fail("an invalid \\u escape in a string");
      this.str = this.str === 6 ? 1 : this.str + 1;
    } else if (this.utf8Left > 0) {
      if (b < 0x80 || b > 0xbf) return this.fail("invalid UTF-8 in a string");
      this.utf8Left--;
    } else if (b === 0x22) {
      this.str = 0;
      if (this.strIsKey) this.expect = COLON;
      else this.endValue();
    } else if (b === 0x5c) this.str = 2;
    else if (b < 0x20) return this.fail(b === 0x0a ? "a string runs past the end of the line (missing closing quote?)" : "a control character inside a string");
    else if (b >= 0x80) {
      if (b >= 0xc2 && b <= 0xdf) this.utf8Left = 1;
      else if (b >= 0xe0 && b <= 0xef) this.utf8Left = 2;
      else if (b >= 0xf0 && b <= 0xf4) this.utf8Left = 3;
      else return this.fail("invalid UTF-8 in a string");
    }
    return true;
  }

  private structuralByte(b: number): boolean {
    if (b === 0x20 || b === 0x09 || b === 0x0d) return true;
    if (b === 0x0a) {
      if (this.layout === "lines" && this.expect !== TOP && this.expect !== AFTER_TOP) return this.fail("the line ends before the JSON value does");
      if (this.layout === "lines") this.expect = TOP;
      this.line++;
      return true;
    }
    const ch = String.fromCharCode(b);
    const afterComma = this.afterComma;
    this.afterComma = false;
    if (this.expect === AFTER_TOP && this.layout !== "sequence") {
      return this.fail(this.layout === "array" ? "unexpected text after the end of the JSON array" : "a second JSON value on the same line");
    }
    if (this.expect === TOP && this.layout === "array" && b !== 0x5b) return this.fail("a JSON array file must start with [");
    if (b === 0x7b || b === 0x5b) {
      if (!this.expectsValue()) return this.unexpected(b);
      if (!this.startValue()) return false;
      this.stack.push(b === 0x7b);
      this.expect = b === 0x7b ? KEY_OR_END : VALUE_OR_END;
      return true;
    }
    if (b === 0x7d || b === 0x5d) {
      const isObject = b === 0x7d;
      const open = this.stack.at(-1);
      // Like DuckDB (yyjson's trailing-comma flag), one trailing comma is fine, except at the end of
      // the top-level array, which DuckDB splits into records itself.
      const trailingOk = afterComma && !(this.layout === "array" && this.stack.length === 1);
      const ok = open === isObject && (this.expect === NEXT || this.expect === (isObject ? KEY_OR_END : VALUE_OR_END) || trailingOk);
      if (!ok) return this.fail(afterComma ? `a trailing comma before ${ch}` : this.expect === VALUE ? `expected a value, found ${ch}` : `unexpected ${ch}`);
      this.stack.pop();
      this.endValue();
      return true;
    }
    if (b === 0x2c) {
      if (this.expect !== NEXT) return this.unexpected(b);
      this.expect = this.stack.at(-1) ? KEY : VALUE;
      this.afterComma = true;
      return true;
    }
    if (b === 0x3a) {
      if (this.expect !== COLON) return this.unexpected(b);
      this.expect = VALUE;
      return true;
    }
    if (b === 0x22) {
      if (this.expect === KEY || this.expect === KEY_OR_END) this.strIsKey = true;
      else if (this.expectsValue()) {
        if (!this.startValue()) return false;
        this.strIsKey = false;
      } else return this.unexpected(b);
      this.str = 1;
      return true;
    }
    if (b < 0x80 && TOKEN_CHAR.test(ch) && this.expectsValue()) {
      if (!this.startValue()) return false;
      this.token = ch;
      return true;
    }
    return this.unexpected(b);
  }

  private unexpected(b: number): false {
    const shown = b >= 0x21 && b < 0x7f ? `"${String.fromCharCode(b)}"` : `byte 0x${b.toString(16).padStart(2, "0")}`;
    if (this.expect === KEY || this.expect === KEY_OR_END) return this.fail(`expected a quoted key, found ${shown}`);
    if (this.expect === COLON) return this.fail(`expected ":" after the key, found ${shown}`);
    if (this.expect === NEXT) return this.fail(`expected "," or ${this.stack.at(-1) ? '"}"' : '"]"'}, found ${shown}`);
    return this.fail(`unexpected ${shown}`);
  }

  /** Call at the end of the input: an open string, value or container is a problem too. */
  end(): boolean {
    if (this.problem) return false;
    if (this.str !== 0) return this.fail("the file ends inside a string");
    if (this.token && !this.endToken()) return false;
    if (this.stack.length > 0) return this.fail(`the ${this.layout === "lines" ? "line" : "file"} ends before the JSON value does (missing ${this.stack.at(-1) ? "}" : "]"})`);
    if (this.expect !== TOP && this.expect !== AFTER_TOP) return this.fail("the file ends before the JSON value does");
    if (this.layout === "array" && !this.arrayDone) return this.fail("no JSON array in the file");
    return true;
  }
}
