// The data plane: DuckDB over immutable Parquet files under <data dir>/datasets/, named by the
// SHA-256 of their bytes, in the shared folder. Metadata (columns, rows, bytes, producer) goes to
// the control-plane store.
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, readdir, rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { dataDirPath, FILE_MODE, fileRoots, privateDir, realOrResolved, sharedDirPath } from "../lib/paths";
import { DataError } from "../nodes/sdk/errors";
import type { Column, DatasetRef, DatasetStore, NewColumn } from "../nodes/sdk/types";
import { datasets, type Store } from "./store";

/**
 * What a DuckDB instance may touch. SQL that nodes build runs with these settings, so they are
 * the wall between a flow and the server's disk and memory:
 * - files only under `roots` (allowed_directories with enable_external_access off: no other
 *   path, no URL, no ATTACH, no extension directory);
 * - no extension installed or loaded on demand (json, parquet and icu are built in);
 * - a memory limit, spilling to `tempDirectory` beyond it;
 * - the configuration locked, so no statement (SET, PRAGMA, RESET) can change any of it.
 */
export interface DuckDBScope {
  roots: string[];
  tempDirectory: string;
}

/** LOOPWRIGHT_DUCKDB_MEMORY_LIMIT (DuckDB syntax: "4GB", "512MiB"), else half of this machine's memory (or of the container's limit). */
export function duckdbMemoryLimit(env: Record<string, string | undefined> = process.env): string {
  const set = env.LOOPWRIGHT_DUCKDB_MEMORY_LIMIT?.trim();
  if (set) return set;
  const total = os.totalmem();
  const constrained = process.constrainedMemory?.() ?? 0;
  const available = constrained > 0 && constrained < total ? constrained : total;
  return `${Math.max(256, Math.floor(available / 2 / 2 ** 20))}MiB`;
}

/**
 * The instance options and the statements that finish the lock-down (allowed_directories cannot
 * be given as an option, and must be set before external access is switched off). Exported for
 * the upload reader, which runs DuckDB in a child process with the same settings.
 */
export function lockdown(scope: DuckDBScope, env: NodeJS.ProcessEnv = process.env): { options: Record<string, string>; statements: string[] } {
  return {
    options: {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      allow_community_extensions: "false",
      memory_limit: duckdbMemoryLimit(env),
      temp_directory: scope.tempDirectory,
      ...(env.LOOPWRIGHT_DUCKDB_THREADS ? { threads: env.LOOPWRIGHT_DUCKDB_THREADS } : {}),
    },
    statements: [
      `SET allowed_directories = [${scope.roots.map(sqlLiteral).join(", ")}]`,
      "SET enable_external_access = false",
      "SET lock_configuration = true",
    ],
  };
}

let tempSeq = 0;

/**
 * A fresh spill folder for one DuckDB instance: `<data dir>/tmp/duckdb-<pid>-<n>` (DuckDB creates
 * it when it first spills and removes it when the instance closes; sweepScratch removes those of
 * processes that died). In the process's own data directory, never on a shared mount.
 */
export function duckdbTempDirectory(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  const onShared = env.LOOPWRIGHT_SHARED_DIR && realOrResolved(dir) === realOrResolved(sharedDirPath(env));
  const tmp = privateDir(path.join(onShared ? dataDirPath(env) : dir, "tmp"));
  return path.join(tmp, `duckdb-${process.pid}-${++tempSeq}`);
}

/**
 * The folders DuckDB working for the data (shared) folder `dir` may reach: what node configs may
 * name (fileRoots, as ctx.resolvePath allows them, for this process's data directory and for
 * `dir`) plus the folders the store itself reads and writes (datasets, uploads, scratch files).
 */
export function duckdbRoots(dir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const own = dataDirPath(env);
  const roots = [
    ...fileRoots(own, env),
    ...fileRoots(dir, env),
    ...[path.join(dir, "datasets"), path.join(dir, "uploads"), path.join(dir, "tmp"), path.join(own, "tmp")].map(realOrResolved),
  ];
  return [...new Set(roots)].sort();
}

interface Engine {
  instance: Promise<DuckDBInstance>;
  /** Connections open now: an engine in use is never closed. */
  active: number;
  used: number;
}

/** Engines by the folders they may reach and their settings: one per process in practice (tests make one per data directory). */
const engines = new Map<string, Engine>();
const MAX_IDLE_ENGINES = 4;

async function openEngine(scope: DuckDBScope): Promise<DuckDBInstance> {
  const { options, statements } = lockdown(scope);
  const instance = await DuckDBInstance.create(":memory:", options);
  try {
    const conn = await instance.connect();
    try {
      for (const sql of statements) await conn.run(sql);
    } finally {
      conn.closeSync();
    }
  } catch (err) {
    instance.closeSync();
    throw err;
  }
  return instance;
}

function engineFor(dir: string): Engine {
  const roots = duckdbRoots(dir);
  // Settings are fixed once an engine starts: other settings in the environment make another one.
  const key = JSON.stringify([roots, duckdbMemoryLimit(), process.env.LOOPWRIGHT_DUCKDB_THREADS ?? ""]);
  let engine = engines.get(key);
  if (!engine) {
    const opened: Engine = { instance: openEngine({ roots, tempDirectory: duckdbTempDirectory(dir) }), active: 0, used: 0 };
    // A failed start is not kept: the next caller tries again.
    opened.instance.catch(() => {
      if (engines.get(key) === opened) engines.delete(key);
    });
    engines.set(key, opened);
    // Close the least recently used engines nobody is using, beyond a few.
    const idle = [...engines].filter(([k, e]) => k !== key && e.active === 0).sort((a, b) => a[1].used - b[1].used);
    for (const [k, e] of idle.slice(0, Math.max(0, engines.size - 1 - MAX_IDLE_ENGINES))) {
      engines.delete(k);
      e.instance.then((i) => i.closeSync()).catch(() => undefined);
    }
    engine = opened;
  }
  engine.used = Date.now();
  return engine;
}

/**
 * The DuckDB engine for the data folder `dir` (default: the shared folder), locked down to it and
 * the file roots (see DuckDBScope). Every operation takes its own connection from it.
 */
export function duckdb(dir: string = sharedDirPath()): Promise<DuckDBInstance> {
  return engineFor(dir).instance;
}

async function connect(dir: string): Promise<{ conn: DuckDBConnection; release(): void }> {
  const engine = engineFor(dir);
  engine.active++;
  try {
    const conn = await (await engine.instance).connect();
    return {
      conn,
      release: () => {
        engine.active--;
        conn.closeSync();
      },
    };
  } catch (err) {
    engine.active--;
    throw err;
  }
}

/** A connection to the engine of `dir` (default: the shared folder) for the length of `fn`. */
export async function withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>, dir: string = sharedDirPath()): Promise<T> {
  const { conn, release } = await connect(dir);
  try {
    return await fn(conn);
  } finally {
    release();
  }
}

export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A file path for DuckDB's readers (read_csv, read_json, read_parquet), which take glob
 * patterns: `rep[12].csv` or `star*.csv` must name that one file, not its look-alikes.
 */
export function sqlFilePath(file: string): string {
  return sqlLiteral(file.replace(/[*?[]/g, "[$&]"));
}

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

/** Scratch files older than this belong to no running node: a node's scratch file lives while its node runs. */
export const SCRATCH_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Remove the scratch files a killed process left behind: `<data>/tmp/*` (sources' transcoded
 * copies, HTTP pages, SQL batches) and `<data>/datasets/.tmp-*` (datasets being written), when
 * they were last written more than `maxAgeMs` ago, and DuckDB's spill folders `<data>/tmp/duckdb-<pid>-*`
 * of processes that no longer run. Nodes remove their own scratch files when they finish, fail or
 * are cancelled; this is for the ones a crash or a kill -9 left. Returns how many files and
 * folders it removed.
 */
export async function sweepScratch(dataDir: string, maxAgeMs = SCRATCH_MAX_AGE_MS, now = Date.now()): Promise<number> {
  const candidates: string[] = [];
  const list = async (dir: string, keep: (name: string) => boolean) => {
    const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return [] as string[];
      throw err;
    });
    for (const name of names) if (keep(name)) candidates.push(path.join(dir, name));
  };
  await list(path.join(dataDir, "tmp"), () => true);
  await list(path.join(dataDir, "datasets"), (name) => name.startsWith(".tmp-"));
  let removed = 0;
  for (const file of candidates) {
    const info = await stat(file).catch(() => null);
    // DuckDB's spill folders: gone with their process, whatever their age.
    const spill = /^duckdb-(\d+)-\w+$/.exec(path.basename(file));
    if (info?.isDirectory() && spill && !alive(Number(spill[1]))) {
      await rm(file, { recursive: true, force: true });
      removed++;
      continue;
    }
    if (!info?.isFile() || now - info.mtimeMs <= maxAgeMs) continue;
    await rm(file, { force: true });
    removed++;
  }
  return removed;
}

/** Whether a process with this id runs on this machine (the data directory's tmp/ is this machine's). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
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
