// DuckDB, the data plane's engine: one locked-down instance per data folder (in practice one per
// process), a connection per operation, and the SQL quoting every caller shares.
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import os from "node:os";
import path from "node:path";
import { dataDirPath, fileRoots, privateDir, realOrResolved, sharedDirPath } from "../lib/paths";

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

/**
 * The roots and engine key for `dir` under the current environment. Every query asks, so the
 * answer (which resolves a dozen paths on disk) is kept per folder and per setting that shapes it.
 */
const scopes = new Map<string, { roots: string[]; key: string }>();

function scopeFor(dir: string): { roots: string[]; key: string } {
  const env = process.env;
  const inputs = JSON.stringify([dir, env.LOOPWRIGHT_DATA_DIR, env.LOOPWRIGHT_SHARED_DIR, env.LOOPWRIGHT_FILE_ROOTS, env.LOOPWRIGHT_DUCKDB_MEMORY_LIMIT, env.LOOPWRIGHT_DUCKDB_THREADS]);
  let scope = scopes.get(inputs);
  if (!scope) {
    const roots = duckdbRoots(dir);
    // Settings are fixed once an engine starts: other settings in the environment make another one.
    scope = { roots, key: JSON.stringify([roots, duckdbMemoryLimit(), env.LOOPWRIGHT_DUCKDB_THREADS ?? ""]) };
    scopes.set(inputs, scope);
  }
  return scope;
}

function engineFor(dir: string): Engine {
  const { roots, key } = scopeFor(dir);
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

/** A connection to the engine of `dir` that the caller releases (for reads that outlive one call, such as streams). */
export async function connect(dir: string): Promise<{ conn: DuckDBConnection; release(): void }> {
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
