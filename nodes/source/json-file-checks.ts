// The JSON checks of a file, streamed through JsonChecker (./json-scan.ts) before DuckDB reads it:
// the first syntax problem with its line, the line where a record starts, nesting too deep, and a
// copy without the lines that are not JSON.
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { JsonChecker, type JsonLayout, type JsonProblem } from "./json-scan";

/** DuckDB skips a UTF-8 byte-order mark at the start of the file; so must the checks. */
const withoutBom = (chunk: Buffer, first: boolean) => (first && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? chunk.subarray(3) : chunk);

async function check(file: string, checker: JsonChecker): Promise<JsonChecker> {
  const stream = createReadStream(file, { highWaterMark: 1 << 16 });
  try {
    let going = true;
    let first = true;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!(going = checker.feed(withoutBom(chunk, first)))) break;
      first = false;
    }
    if (going) checker.end();
  } finally {
    stream.destroy();
  }
  return checker;
}

/** The first syntax problem in the file, read as `layout`, or undefined when it is well formed. */
export async function findJsonProblem(file: string, layout: JsonLayout): Promise<JsonProblem | undefined> {
  return (await check(file, new JsonChecker(layout))).problem;
}

/** The line where record `n` (1-based, DuckDB's numbering) starts. */
export async function recordLine(file: string, layout: JsonLayout, n: number): Promise<number | undefined> {
  let found: number | undefined;
  await check(file, new JsonChecker(layout, (r, line) => r === n && (found = line) !== undefined));
  return found;
}

/**
 * Where the file first nests deeper than `limit`, string-aware but checking nothing else. With
 * `perLine` (NDJSON) each line starts at depth 0, so unclosed brackets on bad lines do not add up.
 */
export async function tooDeep(file: string, limit: number, perLine = false): Promise<number | undefined> {
  let depth = 0;
  let line = 1;
  let inString = false;
  let escaped = false;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 0x0a) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true;
        else if (b === 0x22) inString = false;
      } else if (b === 0x22) inString = true;
      else if (b === 0x7b || b === 0x5b) {
        if (++depth > limit) return line;
      } else if (b === 0x7d || b === 0x5d) depth = Math.max(0, depth - 1);
      // A line break always ends a string in valid JSON: recover there, so one broken line in
      // NDJSON does not hide the brackets of all the lines after it.
      if (b === 0x0a) {
        inString = escaped = false;
        if (perLine) depth = 0;
      }
    }
  }
  return undefined;
}

/**
 * Copies NDJSON from `src` to `dst` without the lines that are not one well-formed JSON value,
 * one line at a time (a line is held only while it is checked).
 */
export async function dropBadLines(src: string, dst: string): Promise<{ dropped: number; lines: number[] }> {
  const out = createWriteStream(dst);
  const bad: number[] = [];
  let dropped = 0;
  let line = 1;
  let checker = new JsonChecker("lines");
  let parts: Buffer[] = [];
  const write = async (buf: Buffer | string) => {
    if (!out.write(buf)) await once(out, "drain");
  };
  const finishLine = async () => {
    const blank = checker.records === 0;
    if (!checker.end()) {
      dropped++;
      if (bad.length < 20) bad.push(line);
    } else if (!blank) {
      for (const p of parts) await write(p);
      await write("\n");
    }
    checker = new JsonChecker("lines");
    parts = [];
    line++;
  };
  try {
    let first = true;
    for await (const raw of createReadStream(src, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
      const chunk = withoutBom(raw, first);
      first = false;
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl);
        checker.feed(piece);
        if (!checker.problem) parts.push(piece);
        if (nl < 0) break;
        await finishLine();
        start = nl + 1;
      }
    }
    if (parts.length || checker.problem) await finishLine();
  } finally {
    out.end();
    await once(out, "close");
  }
  return { dropped, lines: bad };
}
