// Files whose columns are separated by runs of spaces or tabs (fixed-width style exports such as
// CDNOW's): DuckDB's CSV reader takes one delimiter character, so lines are split in SQL instead.
// No quoting: a field never contains a space.
import { DataError, type DatasetRef, type NodeContext } from "../sdk";
import type { CsvFile, Dialect } from "./csv-diagnose";

const UNIT_SEPARATOR = "\u001f"; // a delimiter that text files do not contain: each line is one field

export async function readWhitespace(ctx: NodeContext, f: CsvFile, d: Dialect): Promise<DatasetRef> {
  const { literal, ident } = ctx.datasets;
  const encoding = d.encoding ? `, encoding = ${literal(d.encoding)}` : "";
  const lines =
    `(SELECT regexp_split_to_array(regexp_replace(line, '^\\s+|\\s+$', '', 'g'), '\\s+') AS p, n + ${d.skip} AS line FROM (` +
    `SELECT line, row_number() OVER () AS n FROM read_csv(${ctx.datasets.filePath(f.file)}, columns = {'line': 'VARCHAR'}, delim = ${literal(UNIT_SEPARATOR)}, ` +
    `quote = '', escape = '', header = false, auto_detect = false, skip = ${d.skip}${encoding})) WHERE regexp_matches(coalesce(line, ''), '\\S'))`;

  // The first line (the header, or the first row) sets the width; the first line that differs is named.
  const [shape] = await ctx.datasets.query<{ width: number; first: number; rows: number }>(`SELECT arg_min(len(p), line) AS width, min(line) AS first, count(*) AS rows FROM ${lines}`);
  if (!shape || !shape.rows) throw new DataError(`${f.name}: the file has no lines with values`, { where: f.name });
  const width = Number(shape.width);
  const [ragged] = await ctx.datasets.query<{ line: number; found: number }>(`SELECT line, len(p) AS found FROM ${lines} WHERE len(p) <> ${width} ORDER BY line LIMIT 1`);
  if (ragged) throw new DataError(`${f.name} line ${ragged.line}: expected ${width} columns, found ${ragged.found}`, { where: `${f.name}:${ragged.line}` });

  let names = Array.from({ length: width }, (_, i) => `column${i}`);
  let body = lines;
  if (d.header) {
    const [head] = await ctx.datasets.query<{ p: string[] }>(`SELECT p FROM ${lines} WHERE line = ${Number(shape.first)}`);
    names = head!.p.map((n, i) => n || `column${i}`);
    body = `(SELECT * FROM ${lines} WHERE line > ${Number(shape.first)})`;
  }
  const nulls = d.nullStrings?.length ? d.nullStrings : [];
  const field = (i: number) => {
    const v = `p[${i + 1}]`;
    return nulls.length ? `CASE WHEN ${v} IN (${nulls.map(literal).join(", ")}) THEN NULL ELSE ${v} END` : v;
  };

  // The narrowest type every value of a column reads as, unless the config says otherwise.
  // TRY_CAST('11.77' AS BIGINT) rounds instead of failing, so whole numbers are told by their digits.
  const checks = names.map((_, i) => `bool_and((regexp_full_match(${field(i)}, '[+-]?[0-9]{1,18}') AND TRY_CAST(${field(i)} AS BIGINT) IS NOT NULL) OR ${field(i)} IS NULL) AS i${i}, bool_and(TRY_CAST(${field(i)} AS DOUBLE) IS NOT NULL OR ${field(i)} IS NULL) AS d${i}`);
  const [fits] = await ctx.datasets.query<Record<string, boolean | null>>(`SELECT ${checks.join(", ")} FROM ${body}`);
  const types = names.map((n, i) => d.types?.[n] ?? (fits?.[`i${i}`] ? "BIGINT" : fits?.[`d${i}`] ? "DOUBLE" : "VARCHAR"));
  const columns = names.map((n, i) => (types[i] === "VARCHAR" ? `${field(i)} AS ${ident(n)}` : `CAST(${field(i)} AS ${types[i]}) AS ${ident(n)}`));
  try {
    return await ctx.datasets.create(`SELECT ${columns.join(", ")} FROM ${body} ORDER BY line`);
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new DataError(`${f.name}: ${message} (check the column types set in types)`, { where: f.name, cause: err });
  }
}
