// How deep a JSON or NDJSON file nests, found by streaming its bytes before DuckDB reads it:
// DuckDB's JSON reader recurses once per level and a small file nested tens of thousands of
// levels deep (60 KB of "[[[[…") overflows its stack and takes the whole process down.

/**
 * Arrays and objects inside one another, at most. Real data rarely goes past ten; the JSON
 * source node reads structure up to the same depth (nodes/source/json-file.node.ts STRUCT_DEPTH).
 */
export const MAX_JSON_DEPTH = 64;

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Tracks the nesting depth of JSON text fed to it in chunks of bytes (UTF-8: every byte of a
 * multi-byte character is 0x80 or above, so never a bracket or a quote). Brackets inside strings
 * do not count; escapes (`\"`, `\\`) are followed. Errs on the side of counting: a newline ends
 * any string (a raw newline is not allowed in a JSON string, and each NDJSON line is read on its
 * own), and a closing bracket never takes the depth below zero, so stray closers cannot hide the
 * openers after them.
 */
export class JsonDepthGuard {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The line being read (1-based). */
  line = 1;
  /** The line where the depth first went past the limit, once it has. */
  passedAt: number | undefined;

  constructor(readonly limit = MAX_JSON_DEPTH) {}

  /** Reads one more chunk; returns the line where the limit was passed, or undefined while within it. */
  push(chunk: Uint8Array): number | undefined {
    if (this.passedAt !== undefined) return this.passedAt;
    let { depth, inString, escaped, line } = this;
    const limit = this.limit;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === NEWLINE) {
        line++;
        inString = false;
        escaped = false;
      } else if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
      } else if (b === QUOTE) {
        inString = true;
      } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
        if (++depth > limit) {
          this.passedAt = line;
          break;
        }
      } else if ((b === CLOSE_ARRAY || b === CLOSE_OBJECT) && depth > 0) {
        depth--;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.line = line;
    return this.passedAt;
  }
}

/** The refusal's wording, shared by the upload paths: names the file and the line. */
export function tooDeepMessage(name: string, line: number, limit = MAX_JSON_DEPTH): string {
  return `${name}: line ${line} nests arrays and objects more than ${limit} levels deep; files may nest at most ${limit} levels`;
}
