import { open } from "node:fs/promises";
import { z } from "zod";
import { DataError, defineNode } from "../sdk";
import { duckReason, fileFields, lineage, oneFile, openSource } from "./file-read";

const MAGIC = "PAR1";

/** Parquet files start and end with "PAR1"; checking first gives a clearer message than DuckDB's. */
async function hasParquetMagic(file: string, bytes: number): Promise<boolean> {
  if (bytes < 12) return false;
  const fh = await open(file, "r");
  try {
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    await fh.read(tail, 0, 4, bytes - 4);
    return head.toString("latin1") === MAGIC && tail.toString("latin1") === MAGIC;
  } finally {
    await fh.close();
  }
}

export default defineNode({
  type: "source.parquet-file",
  version: 1,
  kind: "source",
  label: "Parquet file",
  description:
    "Read a Parquet file (a compact data file many data tools write) into a table, with the column names and types stored in it.",
  inputs: {},
  outputs: { rows: "table" },
  config: z.object({ ...fileFields("Parquet", ["parquet"]) }).superRefine((c, issue) => oneFile(c, issue)),
  async run({ config: cfg, ctx }) {
    const src = await openSource(cfg, ctx, "Parquet file");
    const { name } = src;
    if (!(await hasParquetMagic(src.file, src.bytes))) {
      const what = src.bytes === 0 ? "the file is empty" : `it does not start and end with "${MAGIC}"`;
      throw new DataError(`${name} is not a Parquet file: ${what}`, { where: name });
    }
    ctx.progress(null, `Reading ${name}`);
    let ref;
    try {
      ref = await ctx.datasets.create(`SELECT * FROM read_parquet(${ctx.datasets.filePath(src.file)})`);
    } catch (err) {
      const message = String((err as Error)?.message ?? err);
      if (!/^(Invalid Input|IO|Conversion|Invalid) Error/.test(message)) throw err;
      throw new DataError(`${name} cannot be read as Parquet: ${duckReason(err, src.file, name)}`, { where: name, cause: err });
    }
    ctx.progress(1, `Read ${ref.rows} rows from ${name}`);
    return { outputs: { rows: ref }, metrics: { file: name, rows: ref.rows, columns: ref.columns.length, lineage: lineage(src, "parquet", ref.rows) } };
  },
});
