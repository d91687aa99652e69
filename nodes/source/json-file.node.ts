import { createReadStream } from "node:fs";
import { z } from "zod";
import { advanced, DataError, defineNode, type DatasetRef, type NodeContext } from "../sdk";
import { duckReason, fileFields, lineage, oneFile, openSource, withScratch, type SourceFile } from "./file-read";
import { dropBadLines, findJsonProblem, recordLine, tooDeep } from "./json-file-checks";
import type { JsonLayout } from "./json-scan";

/** DuckDB's default is exactly 16 MB, which a 16 MB record plus its keys and quotes exceeds. */
const MAX_OBJECT_BYTES = 64 * 1024 * 1024;
/** Deeper nesting stays a JSON column: DuckDB crashed writing structs 5,000 levels deep to Parquet. */
const STRUCT_DEPTH = 64;
/** DuckDB 1.5 crashes (segfault) detecting the schema of objects ~17,000 levels deep; refuse far below. */
const MAX_DEPTH = 1000;

type DuckFormat = "array" | "newline_delimited" | "auto";

const config = z
  .object({
    ...fileFields("JSON", ["json"]),
    format: advanced(
      z
        .enum(["auto", "array", "ndjson"])
        .default("auto")
        .describe("array: one JSON array of objects. ndjson: one object per line. auto: decided from the file."),
    ),
    ignoreErrors: advanced(z.boolean().default(false).describe("NDJSON: skip lines that are not valid JSON (they are counted) instead of failing.")),
  })
  .superRefine((c, issue) => oneFile(c, issue));

/** The first byte that is not white space or a UTF-8 byte-order mark, or undefined when there is none. */
async function firstSignificantByte(file: string): Promise<number | undefined> {
  let offset = 0;
  const stream = createReadStream(file, { highWaterMark: 1 << 16 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (let i = 0; i < chunk.length; i++, offset++) {
        const b = chunk[i]!;
        const bom = offset < 3 && b === [0xef, 0xbb, 0xbf][offset];
        if (!bom && b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
      }
    }
  } finally {
    stream.destroy();
  }
  return undefined;
}

function readJsonSql(ctx: NodeContext, file: string, format: DuckFormat): string {
  // sample_size = -1: schema from every record, else a key first seen late is silently dropped.
  return `read_json(${ctx.datasets.filePath(file)}, format = '${format}', records = true, sample_size = -1, maximum_object_size = ${MAX_OBJECT_BYTES}, maximum_depth = ${STRUCT_DEPTH})`;
}

/** For "auto", DuckDB's message shows what it settled on: NDJSON errors name a line, others a record. */
function layoutOf(format: DuckFormat, message: string): JsonLayout {
  if (format === "array") return "array";
  if (format === "newline_delimited") return "lines";
  return /\bin line \d+/.test(message) ? "lines" : "sequence";
}

const shorten = (s: string) => (s.length > 300 ? `${s.slice(0, 200)} ... ${s.slice(-80)}` : s);

/**
 * Maps a DuckDB failure to a node error naming the file and, by scanning it, the line. `locate`
 * is false for a cleaned copy, whose lines are not the user's.
 */
async function jsonFailure(err: unknown, src: SourceFile, file: string, layout: JsonLayout, locate = true): Promise<unknown> {
  const { name } = src;
  const message = String((err as Error)?.message ?? err);
  const reason = duckReason(err, file, name);
  if (/Malformed JSON|Expected top-level JSON array/.test(message)) {
    const problem = locate ? await findJsonProblem(file, layout) : undefined;
    if (problem) return new DataError(`${name} line ${problem.line}: ${problem.message}`, { where: `${name} line ${problem.line}`, cause: err });
    return new DataError(`${name}: ${reason.replace(/^Invalid Input Error: /, "")}`, { where: name, cause: err });
  }
  const transform = /JSON transform error in file ".*?", in (?:line|record\/value) (\d+): (.*)$/.exec(reason);
  if (transform) {
    const line = locate ? await recordLine(file, layout, Number(transform[1])) : undefined;
    const where = line === undefined ? `${name} record ${transform[1]}` : `${name} line ${line}`;
    return new DataError(`${where}: ${shorten(transform[2]!)}`, { where, cause: err });
  }
  if (/expected records, but got non-record JSON/.test(message)) {
    return new DataError(`${name}: no JSON objects to read (expected objects such as {"a": 1}, in an array or one per line)`, { where: name, cause: err });
  }
  if (/^(Invalid Input|Conversion|Binder) Error/.test(message)) return new DataError(`${name}: ${reason}`, { where: name, cause: err });
  return err;
}

export default defineNode({
  type: "source.json-file",
  version: 1,
  kind: "source",
  label: "JSON file",
  description:
    "Read a JSON file into a table: a list of records, or one record per line (NDJSON). Nested values become columns holding several fields.",
  inputs: {},
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, ctx }) {
    const src = await openSource(cfg, ctx, "JSON file");
    const { name } = src;
    if (src.bytes === 0) throw new DataError(`${name}: the file is empty`, { where: name });
    const first = await firstSignificantByte(src.file);
    if (first === undefined) throw new DataError(`${name}: the file holds only white space`, { where: name });
    const format: DuckFormat = cfg.format === "array" ? "array" : cfg.format === "ndjson" ? "newline_delimited" : first === 0x5b ? "array" : "auto";

    const deep = await tooDeep(src.file, MAX_DEPTH, format === "newline_delimited");
    if (deep !== undefined) throw new DataError(`${name} line ${deep}: nested more than ${MAX_DEPTH} levels deep`, { where: `${name} line ${deep}` });

    ctx.progress(null, `Reading ${name}`);
    let ref: DatasetRef;
    let skipped: { dropped: number; lines: number[] } | undefined;
    try {
      ref = await ctx.datasets.create(`SELECT * FROM ${readJsonSql(ctx, src.file, format)}`);
    } catch (err) {
      const layout = layoutOf(format, String((err as Error)?.message ?? err));
      if (!(cfg.ignoreErrors && layout === "lines" && /Malformed JSON/.test(String((err as Error)?.message)))) {
        throw await jsonFailure(err, src, src.file, layout);
      }
      // DuckDB's own ignore_errors turns a bad line into a row of NULLs; drop the line instead.
      [ref, skipped] = await withScratch(ctx, ".ndjson", async (tmp) => {
        const dropped = await dropBadLines(src.file, tmp);
        try {
          return [await ctx.datasets.create(`SELECT * FROM ${readJsonSql(ctx, tmp, "newline_delimited")}`), dropped] as const;
        } catch (err2) {
          throw await jsonFailure(err2, src, tmp, "lines", false);
        }
      });
    }
    ctx.progress(1, `Read ${ref.rows} rows from ${name}`);
    const fmt = format === "array" ? "json" : "ndjson";
    const metrics: Record<string, unknown> = { file: name, rows: ref.rows, columns: ref.columns.length };
    if (cfg.ignoreErrors) Object.assign(metrics, { skippedLines: skipped?.dropped ?? 0, firstSkippedLines: skipped?.lines ?? [] });
    return { outputs: { rows: ref }, metrics: { ...metrics, lineage: lineage(src, fmt, ref.rows) } };
  },
});
