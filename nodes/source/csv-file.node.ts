import { open } from "node:fs/promises";
import { z } from "zod";
import { advanced, DataError, defineNode, type DatasetRef, type NodeContext } from "../sdk";
import { readWhitespace } from "./whitespace-read";
import { csvFailure, diagnose, readCsvSql, type CsvFile, type Dialect } from "./csv-diagnose";
import { fileFields, lineage, oneFile, openSource, transcodeToUtf8, withScratch, type TextEncoding } from "./file-read";
import { numericTextWarnings, yesNoWarnings } from "./csv-file-warnings";

/** Config type names and the DuckDB types they read as. */
const COLUMN_TYPES: Record<"text" | "integer" | "number" | "boolean" | "date" | "timestamp", string> = { text: "VARCHAR", integer: "BIGINT", number: "DOUBLE", boolean: "BOOLEAN", date: "DATE", timestamp: "TIMESTAMP" };

const config = z
  .object({
    ...fileFields("CSV", ["csv"]),
    delimiter: advanced(
      z
        .string()
        .regex(/^(?:[^\r\n]|\\t|whitespace)$/, "one character, \\t for tab, or whitespace")
        .optional()
        .describe("Field separator, one character (\\t for tab), or whitespace for columns separated by runs of spaces or tabs. Detected from the file when empty."),
    ),
    header: z.boolean().default(true).describe("The first line holds the column names."),
    quote: advanced(z.string().max(1).optional().describe('Quote character around fields that contain the separator. " when empty.')),
    escape: advanced(z.string().max(1).optional().describe("Escape character inside quoted fields. Detected from the file when empty.")),
    encoding: advanced(
      z
        .enum(["utf-8", "latin-1", "windows-1252", "utf-16"])
        .default("utf-8")
        .describe("Character encoding of the file. Excel on Windows often writes windows-1252, or utf-16 for \"Unicode text\"."),
    ),
    types: advanced(
      z
        .array(
          z.object({
            column: z.string().min(1).describe("Column name as in the header (column0, column1, ... without a header)."),
            type: z.enum(["text", "integer", "number", "boolean", "date", "timestamp"]),
          }),
        )
        .optional()
        .describe("Column types to use instead of the ones detected from the data."),
    ),
    skipRows: z.number().int().min(0).max(1_000_000).default(0).describe("Lines to skip before the header (titles, notes above the table)."),
    nullStrings: advanced(z.array(z.string()).optional().describe("Values that mean \"no value\", e.g. NA or -. An empty field when not given.")),
  })
  .superRefine((c, issue) => {
    oneFile(c, issue);
    const seen = new Set<string>();
    c.types?.forEach((t, i) => {
      if (seen.has(t.column)) issue.addIssue({ code: "custom", path: ["types", i, "column"], message: `Column "${t.column}" has two types` });
      seen.add(t.column);
    });
  });

/** Little-endian unless the file says otherwise by its byte-order mark or a leading zero byte. */
async function utf16Variant(file: string): Promise<TextEncoding> {
  const fh = await open(file, "r");
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    const big = bytesRead === 2 && ((buffer[0] === 0xfe && buffer[1] === 0xff) || (buffer[0] === 0 && buffer[1] !== 0));
    return big ? "utf-16be" : "utf-16le";
  } finally {
    await fh.close();
  }
}

/** The table, and warnings about Yes/No columns read as true/false (checked while the file is at hand). */
async function readCsv(ctx: NodeContext, f: CsvFile, d: Dialect, typed: ReadonlySet<string>): Promise<{ ref: DatasetRef; warnings: string[] }> {
  if (d.delimiter === "whitespace") return { ref: await readWhitespace(ctx, f, d), warnings: [] };
  const src = readCsvSql(ctx, f.file, d);
  let described: { column_name: string }[];
  try {
    described = await ctx.datasets.query<{ column_name: string }>(`DESCRIBE SELECT * FROM ${src}`);
  } catch (err) {
    throw await csvFailure(ctx, err, f, d);
  }
  if (d.delimiter === undefined && described.length === 1) {
    const problem = await diagnose(ctx, f, d);
    if (problem) throw problem;
  }
  let ref: DatasetRef;
  try {
    ref = await ctx.datasets.create(`SELECT * FROM ${src}`);
  } catch (err) {
    throw await csvFailure(ctx, err, f, d);
  }
  const asText = (cols: readonly string[]) => readCsvSql(ctx, f.file, { ...d, types: { ...d.types, ...Object.fromEntries(cols.map((c) => [c, "VARCHAR"])) } });
  return { ref, warnings: await yesNoWarnings(ctx, ref, asText, typed) };
}

export default defineNode({
  type: "source.csv-file",
  version: 1,
  kind: "source",
  label: "CSV file",
  description:
    "Read a CSV file (an export from Excel or a CRM, say) into a table. Column names come from the first line; whether a column holds numbers, dates or text is worked out from the data.",
  inputs: {},
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, ctx }) {
    const src = await openSource(cfg, ctx, "CSV file");
    const { name } = src;
    // DuckDB reads an empty file as one empty column, which is never what the user meant.
    if (src.bytes === 0) throw new DataError(`${name}: the file is empty`, { where: name });

    const d: Dialect = {
      delimiter: cfg.delimiter === "\\t" ? "\t" : cfg.delimiter || undefined,
      quote: cfg.quote || '"',
      escape: cfg.escape || undefined,
      header: cfg.header,
      skip: cfg.skipRows,
      encoding: cfg.encoding === "latin-1" ? "latin-1" : undefined,
      nullStrings: cfg.nullStrings,
      types: cfg.types ? Object.fromEntries(cfg.types.map((t) => [t.column, COLUMN_TYPES[t.type]])) : undefined,
    };
    ctx.progress(null, `Reading ${name}`);

    const typed = new Set((cfg.types ?? []).map((t) => t.column));
    let read: { ref: DatasetRef; warnings: string[] };
    if (cfg.encoding === "utf-8" || cfg.encoding === "latin-1") {
      read = await readCsv(ctx, { file: src.file, name }, d, typed);
    } else {
      // DuckDB reads neither Windows-1252 nor big-endian UTF-16 (it returns no rows for the
      // latter), and the line diagnostics walk UTF-8: read a UTF-8 copy instead.
      const encoding = cfg.encoding === "utf-16" ? await utf16Variant(src.file) : "windows-1252";
      read = await withScratch(ctx, ".csv", async (tmp) => {
        await transcodeToUtf8(src.file, tmp, encoding, name);
        return readCsv(ctx, { file: tmp, name }, d, typed);
      });
    }
    const { ref } = read;
    // Silent traps: numbers read as text because of a few blank cells, Yes/No read as true/false.
    const warnings = [...(await numericTextWarnings(ctx, ref, cfg.nullStrings, typed)), ...read.warnings];
    for (const w of warnings) ctx.log.warn(w);
    ctx.progress(1, `Read ${ref.rows} rows from ${name}`);
    return {
      outputs: { rows: ref },
      metrics: { file: name, rows: ref.rows, columns: ref.columns.length, ...(warnings.length ? { warnings } : {}), lineage: lineage(src, "csv", ref.rows) },
    };
  },
});
