// Turning DuckDB's CSV failures into messages that name the file and the physical line.
import { createReadStream } from "node:fs";
import { ConfigError, DataError, NotFoundError, type NodeContext } from "../sdk";
import { duckReason, firstC1Byte, firstNonUtf8, hex } from "./file-read";

export interface Dialect {
  delimiter?: string;
  quote: string;
  escape?: string;
  header: boolean;
  /** Lines before the header (or the first row) that are not CSV at all. */
  skip: number;
  /** An encoding DuckDB decodes itself; absent for UTF-8 (or text already transcoded to it). */
  encoding?: "latin-1";
  nullStrings?: string[];
  /** Column name to DuckDB type, from the config's type overrides. */
  types?: Record<string, string>;
}

/** What DuckDB reads and what messages call it (the user's file name, even for a scratch copy). */
export interface CsvFile {
  file: string;
  name: string;
}

/** The delimiters we try when DuckDB's sniffer gives up or settles on a one-column reading. */
const CANDIDATE_DELIMITERS = [",", ";", "\t", "|"];

/** The options every read shares: the dialect's structure, never types or null strings. */
function structureOptions(ctx: NodeContext, d: Dialect): string[] {
  const lit = ctx.datasets.literal;
  // strict_mode/null_padding: a ragged row is an error, never quietly padded or merged. skip is
  // always given: otherwise the sniffer may silently drop leading rows it finds inconsistent.
  const opts = [`header = ${d.header}`, `quote = ${lit(d.quote)}`, `skip = ${d.skip}`, "strict_mode = true", "null_padding = false"];
  if (d.delimiter !== undefined) opts.push(`delim = ${lit(d.delimiter)}`);
  if (d.escape !== undefined) opts.push(`escape = ${lit(d.escape)}`);
  if (d.encoding !== undefined) opts.push(`encoding = ${lit(d.encoding)}`);
  return opts;
}

export function readCsvSql(ctx: NodeContext, file: string, d: Dialect): string {
  const lit = ctx.datasets.literal;
  const opts = structureOptions(ctx, d);
  if (d.nullStrings?.length) opts.push(`nullstr = [${d.nullStrings.map(lit).join(", ")}]`);
  const types = Object.entries(d.types ?? {});
  if (types.length) opts.push(`types = {${types.map(([c, t]) => `${lit(c)}: ${lit(t)}`).join(", ")}}`);
  return `read_csv(${ctx.datasets.filePath(file)}, auto_detect = true, ${opts.join(", ")})`;
}

/**
 * Walks the file as the CSV grammar does (quotes only open a field at its start; \n, \r\n and a
 * lone \r end a line), calling `onChar` for each character outside quotes and `onRecordEnd` at
 * each record end; stops when a callback returns true. The first `d.skip` lines are not CSV and
 * are only counted. Returns the physical line (1-based) where it stopped.
 */
async function walkCsv(
  file: string,
  d: Dialect,
  isDelimiter: (ch: string) => boolean,
  onChar: (ch: string) => boolean,
  onRecordEnd: (line: number) => boolean,
): Promise<number> {
  const escape = d.escape ?? d.quote;
  let state: "start" | "plain" | "quoted" | "afterQuote" | "escaped" = "start";
  let line = 1;
  let skipLeft = d.skip;
  let prevCR = false;
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 16 })) {
    for (const ch of chunk as string) {
      if (ch === "\n" && prevCR) { prevCR = false; continue; } // the line already ended at the \r
      prevCR = ch === "\r";
      const eol = ch === "\n" || ch === "\r";
      if (skipLeft > 0) { if (eol) { line++; skipLeft--; } continue; }
      if (state === "escaped") { state = "quoted"; if (eol) line++; continue; }
      if (state === "quoted") {
        if (eol) line++;
        else if (ch === escape && escape !== d.quote) state = "escaped";
        else if (ch === d.quote) state = "afterQuote";
        continue;
      }
      if (state === "afterQuote" && ch === d.quote && escape === d.quote) { state = "quoted"; continue; }
      if (eol) {
        state = "start";
        if (onRecordEnd(line)) return line;
        line++;
        continue;
      }
      if (state === "start" && ch === d.quote) { state = "quoted"; continue; }
      state = isDelimiter(ch) ? "start" : "plain";
      if (onChar(ch)) return line;
    }
  }
  return line;
}

/** How many times each candidate delimiter occurs outside quotes in the first record. */
async function firstRecordCounts(file: string, d: Dialect, candidates: string[]): Promise<Map<string, number>> {
  const counts = new Map(candidates.map((c) => [c, 0]));
  let seen = 0;
  await walkCsv(
    file,
    d,
    (ch) => counts.has(ch),
    (ch) => {
      if (counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
      return ++seen > 1_000_000; // a first line this long is not worth diagnosing further
    },
    () => true,
  );
  return counts;
}

/** DuckDB numbers records (skipped and blank lines included); quoted line breaks make physical lines differ. */
async function physicalLine(file: string, d: Dialect, record: number): Promise<number> {
  if (record <= d.skip + 1) return record;
  let records = d.skip + 1;
  let found: number | undefined;
  const isDelimiter = d.delimiter === undefined ? (ch: string) => CANDIDATE_DELIMITERS.includes(ch) : (ch: string) => ch === d.delimiter;
  await walkCsv(file, d, isDelimiter, () => false, (line) => {
    if (++records === record) found = line + 1;
    return found !== undefined;
  });
  return found ?? record;
}

/** Turns DuckDB's CSV error text into `file line N: what`, or undefined when it names no line. */
async function locatedError(message: string, f: CsvFile, d: Dialect, cause: unknown): Promise<DataError | undefined> {
  const m = /CSV Error on Line: (\d+)/.exec(message);
  if (!m) return undefined;
  // DuckDB's error text says which delimiter it detected: the walk needs it to see where quotes open.
  const detected = /\n\s*delimiter = (.+?) \((?:Auto-Detected|Set By User)\)/.exec(message)?.[1];
  const delimiter = d.delimiter ?? (detected === "\\t" ? "\t" : detected?.length === 1 ? detected : undefined);
  const line = await physicalLine(f.file, { ...d, delimiter }, Number(m[1]));
  const cols = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  const conv = /Error when converting column "(.*?)"\. (Could not convert [^\n]*)/.exec(message);
  let what: string;
  if (cols) what = `expected ${cols[1]} columns, found ${cols[2]}`;
  else if (conv) {
    const origin = d.types && Object.hasOwn(d.types, conv[1]!) ? "set in types" : "detected from the first rows";
    what = `column "${conv[1]}": ${conv[2]!.replace(/^Could/, "could")} (the column type was ${origin})`;
  } else {
    const body = message.split(/\n\s*Possible (?:fixes|solutions?)/i)[0]!.split("\n").map((l) => l.trim()).filter(Boolean);
    what = body.at(-1) ?? message.split("\n")[0]!;
  }
  what = what.split(f.file).join(f.name);
  return new DataError(`${f.name} line ${line}: ${what}`, { where: `${f.name} line ${line}`, cause });
}

/**
 * DuckDB's sniffer reads small files whole, so a bad row there makes it fail without a line, or
 * settle on a one-column reading. Re-read with a fixed dialect and the first record's field
 * count, where the scanner reports the line.
 */
export async function diagnose(ctx: NodeContext, f: CsvFile, d: Dialect): Promise<DataError | undefined> {
  let delimiter = d.delimiter;
  if (delimiter === undefined) {
    const counts = await firstRecordCounts(f.file, d, CANDIDATE_DELIMITERS);
    const [best, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    if (n === 0) return undefined;
    delimiter = best;
  }
  const fields = (await firstRecordCounts(f.file, { ...d, delimiter }, [delimiter])).get(delimiter)! + 1;
  const lit = ctx.datasets.literal;
  const columns = Array.from({ length: fields }, (_, i) => `${lit(`c${i}`)}: 'VARCHAR'`).join(", ");
  const opts = [...structureOptions(ctx, { ...d, delimiter }), `columns = {${columns}}`];
  try {
    await ctx.datasets.query(`SELECT count(*) AS n FROM read_csv(${ctx.datasets.filePath(f.file)}, auto_detect = false, ${opts.join(", ")})`);
    return undefined;
  } catch (err) {
    return locatedError(String((err as Error)?.message ?? err), f, { ...d, delimiter }, err);
  }
}

/** Text that is not in the encoding DuckDB was told: say where, and which setting to change. */
async function encodingError(message: string, f: CsvFile, d: Dialect, cause: unknown): Promise<DataError | undefined> {
  let found: { line: number; byte: number } | undefined;
  let what: string;
  if (d.encoding === undefined && /not utf-8 encoded/i.test(message)) {
    found = await firstNonUtf8(f.file);
    what = "is not UTF-8 text; set encoding to the file's one (latin-1, windows-1252 or utf-16)";
  } else if (d.encoding === "latin-1" && /not latin-1 encoded/i.test(message)) {
    found = await firstC1Byte(f.file);
    what = "is not Latin-1 text; the file is probably Windows-1252 (set encoding to windows-1252)";
  } else return undefined;
  if (!found) return new DataError(`${f.name}: ${duckReason(cause, f.file, f.name)}`, { where: f.name, cause });
  const where = `${f.name} line ${found.line}`;
  return new DataError(`${where}: byte ${hex(found.byte)} ${what}`, { where, cause });
}

/** Maps a DuckDB failure to a node error; anything that is not about the file itself is rethrown. */
export async function csvFailure(ctx: NodeContext, err: unknown, f: CsvFile, d: Dialect): Promise<unknown> {
  const message = String((err as Error)?.message ?? err);
  if (/No files found that match/.test(message)) return new NotFoundError(`CSV file not found: ${f.name}`, { where: f.name, cause: err });
  const missing = /COLUMN_TYPES error: Columns with names: (.*?) do not exist/.exec(message);
  if (missing) return new ConfigError(`CSV file: types: no column ${missing[1]} in ${f.name}`, { field: "types", cause: err });
  const located =
    (await encodingError(message, f, d, err)) ??
    (await locatedError(message, f, d, err)) ??
    (/Error when sniffing file/.test(message) ? await diagnose(ctx, f, d) : undefined);
  if (located) return located;
  if (/^(Invalid Input|Conversion) Error/.test(message)) {
    const text = message.split("\n").slice(0, 2).join(" ").trim().split(f.file).join(f.name);
    return new DataError(`${f.name}: ${text}`, { where: f.name, cause: err });
  }
  return err;
}
