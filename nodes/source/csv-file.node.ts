import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ConfigError, uploadedFile, DataError, defineNode, NotFoundError, type NodeContext } from "../sdk";

const config = z.object({
  path: z.string().optional().describe("Path of the CSV file. Relative paths start at the project directory. Leave empty when using an uploaded file."),
  fileId: uploadedFile(z.string().regex(/^[A-Za-z0-9_-]*$/))
    .optional()
    .describe("An uploaded file, instead of a path."),
  delimiter: z
    .string()
    .regex(/^(?:[^\r\n]|\\t)$/)
    .optional()
    .describe("Field separator, one character (\\t for tab). Detected from the file when empty."),
  header: z.boolean().default(true).describe("The first line holds the column names."),
  quote: z.string().max(1).optional().describe('Quote character around fields that contain the separator. " when empty.'),
  escape: z.string().max(1).optional().describe("Escape character inside quoted fields. Detected from the file when empty."),
}).superRefine((c, issue) => {
  // Checked on save too, so the form shows it before any run.
  if (Boolean(c.path) === Boolean(c.fileId)) {
    issue.addIssue({ code: "custom", path: ["path"], message: "Give either a path or an uploaded file" });
  }
});

type Config = z.output<typeof config>;

interface Dialect {
  delimiter?: string;
  quote: string;
  escape?: string;
  header: boolean;
}

/** The delimiters we try when DuckDB's sniffer gives up or settles on a one-column reading. */
const CANDIDATE_DELIMITERS = [",", ";", "\t", "|"];

function resolveFile(cfg: Config, ctx: NodeContext): string {
  const p = cfg.path || undefined;
  const id = cfg.fileId || undefined;
  if ((p === undefined) === (id === undefined)) throw new ConfigError("CSV file: give either a path or an uploaded file, not both or neither", { field: "path" });
  if (p !== undefined) return ctx.resolvePath(p);
  if (typeof ctx.resolveUpload !== "function") throw new ConfigError("CSV file: uploaded files are not available here; give a path", { field: "fileId" });
  return ctx.resolveUpload(id!);
}

function readCsvSql(ctx: NodeContext, file: string, d: Dialect): string {
  const lit = ctx.datasets.literal;
  // skip=0: otherwise the sniffer may silently drop leading rows it finds inconsistent.
  // strict_mode/null_padding: a ragged row is an error, never quietly padded or merged.
  const opts = [`header = ${d.header}`, `quote = ${lit(d.quote)}`, "skip = 0", "strict_mode = true", "null_padding = false"];
  if (d.delimiter !== undefined) opts.push(`delim = ${lit(d.delimiter)}`);
  if (d.escape !== undefined) opts.push(`escape = ${lit(d.escape)}`);
  return `read_csv(${lit(file)}, auto_detect = true, ${opts.join(", ")})`;
}

/**
 * Walks the file as the CSV grammar does (quotes only open a field at its start), calling `onChar`
 * for each character outside quotes and `onRecordEnd` at each record end; stops when a callback
 * returns true. Returns the physical line (1-based) where it stopped.
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
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 16 })) {
    for (const ch of chunk as string) {
      if (state === "escaped") { state = "quoted"; if (ch === "\n") line++; continue; }
      if (state === "quoted") {
        if (ch === "\n") line++;
        else if (ch === escape && escape !== d.quote) state = "escaped";
        else if (ch === d.quote) state = "afterQuote";
        continue;
      }
      if (state === "afterQuote" && ch === d.quote && escape === d.quote) { state = "quoted"; continue; }
      if (ch === "\n") {
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

/** DuckDB numbers records (blank lines included); quoted line breaks make physical lines differ. */
async function physicalLine(file: string, d: Dialect, record: number): Promise<number> {
  if (record <= 1) return record;
  let records = 1;
  let found: number | undefined;
  const isDelimiter = d.delimiter === undefined ? (ch: string) => CANDIDATE_DELIMITERS.includes(ch) : (ch: string) => ch === d.delimiter;
  await walkCsv(file, d, isDelimiter, () => false, (line) => {
    if (++records === record) found = line + 1;
    return found !== undefined;
  });
  return found ?? record;
}

/** Turns DuckDB's CSV error text into `file line N: what`, or undefined when it names no line. */
async function locatedError(message: string, file: string, d: Dialect, cause: unknown): Promise<DataError | undefined> {
  const m = /CSV Error on Line: (\d+)/.exec(message);
  if (!m) return undefined;
  const name = path.basename(file);
  // DuckDB's error text says which delimiter it detected: the walk needs it to see where quotes open.
  const detected = /\n\s*delimiter = (.+?) \((?:Auto-Detected|Set By User)\)/.exec(message)?.[1];
  const delimiter = d.delimiter ?? (detected === "\\t" ? "\t" : detected?.length === 1 ? detected : undefined);
  const line = await physicalLine(file, { ...d, delimiter }, Number(m[1]));
  const cols = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  const conv = /Error when converting column "(.*?)"\. (Could not convert [^\n]*)/.exec(message);
  let what: string;
  if (cols) what = `expected ${cols[1]} columns, found ${cols[2]}`;
  else if (conv) what = `column "${conv[1]}": ${conv[2]!.replace(/^Could/, "could")} (the column type was detected from the first rows)`;
  else {
    const body = message.split(/\n\s*Possible (?:fixes|solutions)/)[0]!.split("\n").map((l) => l.trim()).filter(Boolean);
    what = body.at(-1) ?? message.split("\n")[0]!;
  }
  return new DataError(`${name} line ${line}: ${what}`, { where: `${name} line ${line}`, cause });
}

/**
 * DuckDB's sniffer reads small files whole, so a bad row there makes it fail without a line, or
 * settle on a one-column reading. Re-read with a fixed dialect and the first record's field
 * count, where the scanner reports the line.
 */
async function diagnose(ctx: NodeContext, file: string, d: Dialect): Promise<DataError | undefined> {
  let delimiter = d.delimiter;
  if (delimiter === undefined) {
    const counts = await firstRecordCounts(file, d, CANDIDATE_DELIMITERS);
    const [best, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    if (n === 0) return undefined;
    delimiter = best;
  }
  const fields = (await firstRecordCounts(file, { ...d, delimiter }, [delimiter])).get(delimiter)! + 1;
  const lit = ctx.datasets.literal;
  const columns = Array.from({ length: fields }, (_, i) => `${lit(`c${i}`)}: 'VARCHAR'`).join(", ");
  const opts = [`header = ${d.header}`, `delim = ${lit(delimiter)}`, `quote = ${lit(d.quote)}`, "skip = 0", "strict_mode = true", "null_padding = false", `columns = {${columns}}`];
  if (d.escape !== undefined) opts.push(`escape = ${lit(d.escape)}`);
  try {
    await ctx.datasets.query(`SELECT count(*) AS n FROM read_csv(${lit(file)}, auto_detect = false, ${opts.join(", ")})`);
    return undefined;
  } catch (err) {
    return locatedError(String((err as Error)?.message ?? err), file, { ...d, delimiter }, err);
  }
}

/** Maps a DuckDB failure to a node error; anything that is not about the file itself is rethrown. */
async function csvFailure(ctx: NodeContext, err: unknown, file: string, d: Dialect): Promise<unknown> {
  const message = String((err as Error)?.message ?? err);
  const name = path.basename(file);
  if (/No files found that match/.test(message)) return new NotFoundError(`CSV file not found: ${name}`, { where: name, cause: err });
  const located = (await locatedError(message, file, d, err)) ?? (/Error when sniffing file/.test(message) ? await diagnose(ctx, file, d) : undefined);
  if (located) return located;
  if (/^(Invalid Input|Conversion) Error/.test(message)) {
    return new DataError(`${name}: ${message.split("\n").slice(0, 2).join(" ").trim()}`, { where: name, cause: err });
  }
  return err;
}

export default defineNode({
  type: "source.csv-file",
  version: 1,
  kind: "source",
  label: "CSV file",
  description: "Read a CSV file into a table. Column names come from the header, column types are detected from the data.",
  inputs: {},
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, ctx }) {
    const file = resolveFile(cfg, ctx);
    const name = path.basename(file);
    const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT" || err.code === "ENOTDIR") throw new NotFoundError(`CSV file not found: ${name}`, { where: name, cause: err });
      throw err;
    });
    if (!info.isFile()) throw new NotFoundError(`CSV file not found: ${name} is not a file`, { where: name });

    const d: Dialect = {
      delimiter: cfg.delimiter === "\\t" ? "\t" : cfg.delimiter || undefined,
      quote: cfg.quote || '"',
      escape: cfg.escape || undefined,
      header: cfg.header,
    };
    const src = readCsvSql(ctx, file, d);
    ctx.progress(null, `Reading ${name}`);

    let described: { column_name: string }[];
    try {
      described = await ctx.datasets.query<{ column_name: string }>(`DESCRIBE SELECT * FROM ${src}`);
    } catch (err) {
      throw await csvFailure(ctx, err, file, d);
    }
    if (d.delimiter === undefined && described.length === 1) {
      const problem = await diagnose(ctx, file, d);
      if (problem) throw problem;
    }

    let ref;
    try {
      ref = await ctx.datasets.create(`SELECT * FROM ${src}`);
    } catch (err) {
      throw await csvFailure(ctx, err, file, d);
    }
    ctx.progress(1, `Read ${ref.rows} rows from ${name}`);
    return { outputs: { rows: ref }, metrics: { file: name, rows: ref.rows, columns: ref.columns.length } };
  },
});
