// The data plane: DuckDB over immutable Parquet files under <data dir>/datasets/, named by the
// SHA-256 of their bytes, in the shared folder. Metadata (columns, rows, bytes, producer) goes to
// the control-plane store.
import type { DuckDBValue } from "@duckdb/node-api";
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { FILE_MODE, privateDir } from "../lib/paths";
import { DataError } from "../nodes/sdk/errors";
import type { Column, DatasetRef, DatasetStore, NewColumn } from "../nodes/sdk/types";
import { connect, sqlFilePath, sqlIdent, sqlLiteral, withConnection } from "./duckdb";
import { datasets, type Store } from "./store";

/** DuckDB hands BIGINT back as bigint; JSON and most callers want numbers. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

/**
 * A row object from column names and values. Defined, not assigned: a column named `__proto__`
 * (data from outside can have one) stays an ordinary key instead of replacing the prototype.
 */
function rowObject<T>(names: readonly string[], values: readonly unknown[]): T {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) {
    Object.defineProperty(out, names[i]!, { value: plain(values[i]), enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export interface DatasetOwner {
  runId?: string;
  nodeId?: string;
}

export class ParquetDatasetStore implements DatasetStore {
  private readonly dir: string;

  /** `dataDir`: the shared folder dataset paths are relative to. */
  constructor(
    private readonly dataDir: string,
    private readonly store: Store,
    private readonly owner: DatasetOwner = {},
  ) {
    this.dir = privateDir(path.join(dataDir, "datasets"));
  }

  absolutePath(ref: Pick<DatasetRef, "path">): string {
    return path.resolve(this.dataDir, ref.path);
  }

  from(ref: DatasetRef): string {
    return `read_parquet(${sqlFilePath(this.absolutePath(ref))})`;
  }

  fromWithPosition(ref: DatasetRef): string {
    return `read_parquet(${sqlFilePath(this.absolutePath(ref))}, file_row_number = true)`;
  }

  ident(name: string): string {
    return sqlIdent(name);
  }

  literal(value: string): string {
    return sqlLiteral(value);
  }

  filePath(file: string): string {
    return sqlFilePath(file);
  }

  async create(selectSql: string): Promise<DatasetRef> {
    const tmp = path.join(this.dir, `.tmp-${randomUUID()}.parquet`);
    try {
      await withConnection((c) => c.run(`COPY (${selectSql}) TO ${sqlLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`), this.dataDir);
      return await this.adopt(tmp);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Move a freshly written Parquet file into the store under its content address. */
  private async adopt(tmp: string): Promise<DatasetRef> {
    const id = `ds_${(await sha256File(tmp)).slice(0, 32)}`;
    const rel = path.join("datasets", `${id}.parquet`);
    const { size } = await stat(tmp);
    const [columns, rows] = await withConnection(async (c) => {
      const src = `read_parquet(${sqlLiteral(tmp)})`;
      const described = await c.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`);
      const cols = described.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
      const count = await c.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${src}`);
      return [cols, Number(count.getRowObjectsJS()[0]!.n)] as const;
    }, this.dataDir);
    // DuckDB writes with the process's umask; datasets hold customers' rows.
    await chmod(tmp, FILE_MODE);
    await rename(tmp, path.join(this.dataDir, rel));
    await datasets.record(this.store, { id, path: rel, rows, bytes: size, columns, runId: this.owner.runId ?? null, nodeId: this.owner.nodeId ?? null });
    return { kind: "table", id, path: rel, rows, columns };
  }

  async query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    return withConnection(async (c) => {
      const reader = await c.runAndReadAll(sql);
      const names = reader.columnNames();
      return reader.getRowsJS().map((values) => rowObject<T>(names, values));
    }, this.dataDir);
  }

  async *batches<T = Record<string, unknown>>(sql: string, batchSize = 10_000): AsyncIterable<T[]> {
    const { conn, release } = await connect(this.dataDir);
    try {
      const result = await conn.stream(sql);
      const names = result.columnNames();
      let batch: T[] = [];
      for await (const rows of result.yieldRowsJs()) {
        for (const values of rows) {
          batch.push(rowObject<T>(names, values));
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
      if (batch.length) yield batch;
    } finally {
      release();
    }
  }

  addColumn(ref: DatasetRef, column: Column, values: ArrayLike<number | null>): Promise<DatasetRef> {
    return this.addColumns(ref, [{ ...column, values }]);
  }

  async addColumns(ref: DatasetRef, columns: readonly NewColumn[]): Promise<DatasetRef> {
    if (!columns.length) throw new Error("addColumns: no columns to add");
    // DuckDB's column names are case-insensitive.
    const taken = new Set(ref.columns.map((c) => c.name.toLowerCase()));
    for (const column of columns) {
      if (column.values.length !== ref.rows) throw new Error(`addColumns: ${column.values.length} values for ${ref.rows} rows in "${column.name}"`);
      if (taken.has(column.name.toLowerCase())) throw new Error(`addColumns: column "${column.name}" already exists`);
      taken.add(column.name.toLowerCase());
    }
    const tmp = path.join(this.dir, `.tmp-${randomUUID()}.parquet`);
    const table = `added_${randomUUID().replace(/-/g, "")}`;
    // A labelled column holds label indexes; CASE turns each into its label, in the column's type.
    const selected = columns.map((column, j) => {
      const value = column.labels
        ? `CASE CAST(a.v${j} AS BIGINT) ${column.labels.map((l, i) => `WHEN ${i} THEN CAST(${sqlLiteral(l)} AS ${column.type})`).join(" ")} END`
        : `CAST(a.v${j} AS ${column.type})`;
      return `${value} AS ${sqlIdent(column.name)}`;
    });
    try {
      await withConnection(async (c) => {
        await c.run(`CREATE TEMP TABLE ${table} (rn BIGINT, ${columns.map((_, j) => `v${j} DOUBLE`).join(", ")})`);
        const appender = await c.createAppender(table);
        for (let i = 0; i < ref.rows; i++) {
          appender.appendBigInt(BigInt(i));
          for (const column of columns) {
            const v = column.values[i];
            if (v === null || v === undefined || Number.isNaN(v)) appender.appendNull();
            else appender.appendDouble(v);
          }
          appender.endRow();
        }
        appender.closeSync();
        // file_row_number is the row's position in the Parquet file: a stable join key.
        const src = this.fromWithPosition(ref);
        await c.run(
          `COPY (SELECT s.* EXCLUDE (file_row_number), ${selected.join(", ")}
                 FROM ${src} s JOIN ${table} a ON a.rn = s.file_row_number ORDER BY s.file_row_number)
           TO ${sqlLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
        );
        await c.run(`DROP TABLE ${table}`);
      }, this.dataDir);
      return await this.adopt(tmp);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async schema(ref: DatasetRef): Promise<Column[]> {
    const rows = await this.readable(ref, () => this.query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${this.from(ref)}`));
    return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
  }

  async preview(ref: DatasetRef, limit = 100): Promise<Record<string, unknown>[]> {
    const n = Math.max(0, Math.min(10_000, Math.floor(limit)));
    return this.readable(ref, () => this.query(`SELECT * FROM ${this.from(ref)} LIMIT ${n}`));
  }

  /** Rows of `sql` over `ref` with its $1, $2 … bound to `params` (values people typed never enter the SQL). */
  async queryBound<T = Record<string, unknown>>(ref: DatasetRef, sql: string, params: DuckDBValue[]): Promise<T[]> {
    return this.readable(ref, () =>
      withConnection(async (c) => {
        const reader = await c.runAndReadAll(sql, params);
        const names = reader.columnNames();
        return reader.getRowsJS().map((values) => rowObject<T>(names, values));
      }, this.dataDir),
    );
  }

  /**
   * The rows of `selectSql` over `ref` (parameters bound) written by DuckDB as CSV with a header,
   * or as Parquet, to a new temporary file in the store's folder (swept like any .tmp- file if the
   * process dies). Returns its path; the caller removes it.
   */
  async copyToTemp(ref: DatasetRef, selectSql: string, params: DuckDBValue[], format: "csv" | "parquet"): Promise<string> {
    const tmp = path.join(this.dir, `.tmp-export-${randomUUID()}.${format}`);
    const options = format === "csv" ? "FORMAT csv, HEADER true" : "FORMAT parquet, COMPRESSION zstd";
    try {
      await this.readable(ref, () => withConnection((c) => c.run(`COPY (${selectSql}) TO ${sqlLiteral(tmp)} (${options})`, params), this.dataDir));
      await chmod(tmp, FILE_MODE);
      return tmp;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** DuckDB's complaint about a damaged file, naming the dataset rather than server paths or SQL. */
  private async readable<T>(ref: DatasetRef, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      const first = (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
      const reason = first.split(this.absolutePath(ref)).join(ref.id);
      throw new DataError(`Dataset ${ref.id} cannot be read: ${reason}`, { where: ref.id, cause: err });
    }
  }
}
