// Where things live. One data directory holds everything a deployment writes. It is private to the
// user the app runs as: created 0700 (and narrowed to 0700 when found wider), with the files in it
// written 0600 by the code that writes them.
import { chmodSync, mkdirSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The project directory (where package.json is). Relative file paths in node configs start here. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Folders only the app's own user may enter; files in them are written with FILE_MODE. */
export const DIR_MODE = 0o700;
/** Files in the data and shared folders: readable and writable by the app's own user only. */
export const FILE_MODE = 0o600;

/** `LOOPWRIGHT_DATA_DIR`, or `./.loopwright` in the project directory, without creating it. */
export function dataDirPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(projectRoot, env.LOOPWRIGHT_DATA_DIR || ".loopwright");
}

/** The shared folder's path (see sharedDir), without creating it. */
export function sharedDirPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOOPWRIGHT_SHARED_DIR ? path.resolve(projectRoot, env.LOOPWRIGHT_SHARED_DIR) : dataDirPath(env);
}

const narrowed = new Set<string>();

/**
 * Creates `dir` (and missing parents) 0700. A folder that already exists is left as it is unless
 * `narrow`: then group and other bits are taken away (once per process and folder), so a data
 * directory made by an older version or by hand stops being readable by other users.
 */
export function privateDir(dir: string, narrow = false): string {
  const created = mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (created === undefined && narrow && !narrowed.has(dir)) {
    const mode = statSync(dir).mode & 0o777;
    try {
      if (mode & 0o077) chmodSync(dir, mode & DIR_MODE);
    } catch (err) {
      // Another user's folder that we may write to: not ours to change.
      if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
    }
    narrowed.add(dir);
  }
  return dir;
}

/** `LOOPWRIGHT_DATA_DIR`, or `./.loopwright` in the project directory; created 0700, narrowed to it. */
export function dataDir(): string {
  return privateDir(dataDirPath(), true);
}

/**
 * The folder every process shares: `datasets/` (immutable Parquet files), `uploads/` and `models/`
 * (artifacts). `LOOPWRIGHT_SHARED_DIR` points it at a shared mount so workers on other machines
 * read and write the same files (immutable files are safe there); by default it is the data
 * directory. Paths stored in the control plane are relative to it. Created 0700 when missing.
 */
export function sharedDir(): string {
  if (!process.env.LOOPWRIGHT_SHARED_DIR) return dataDir();
  // Created 0700, but an existing shared mount keeps its modes: other machines' workers may reach
  // it through group permissions an admin set up on purpose.
  return privateDir(sharedDirPath());
}

/** The data directory's keys/ folder (the auth secret, the connections' encryption key), created 0700. */
export function keysDir(data = dataDir()): string {
  return privateDir(path.join(data, "keys"));
}

export function dbPath(dir = dataDir()): string {
  return path.join(dir, "loopwright.sqlite");
}

/** The project's example data and flows: the one part of the project folder flows may read by path. */
export const examplesDir = path.join(projectRoot, "examples");

/**
 * Folders that node configs may read and write by path: the project's examples (not the rest of
 * the project: its code, configuration and .env files are no business of a flow), the data
 * directory, the shared folder, and any listed in `LOOPWRIGHT_FILE_ROOTS` (separated by the
 * platform's path delimiter). A path typed in the browser must not reach the rest of the disk.
 */
export function fileRoots(data = dataDir(), env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.LOOPWRIGHT_FILE_ROOTS ?? "").split(path.delimiter).filter(Boolean);
  const shared = env.LOOPWRIGHT_SHARED_DIR ? [env.LOOPWRIGHT_SHARED_DIR] : [];
  return [examplesDir, data, ...shared, ...extra].map((r) => realOrResolved(path.resolve(projectRoot, r)));
}

/**
 * Loopwright's own files inside the data and shared folders, which no flow may read or write by
 * path even though those folders are file roots: the control database (and its WAL), the
 * embedded Temporal server's state, logs, other nodes' scratch files, key files, and the stores
 * that nodes reach only through the context (datasets, uploads, model artifacts).
 */
export function internalPaths(data: string, shared: string = data): string[] {
  const inData = ["loopwright.sqlite", "loopwright.sqlite-wal", "loopwright.sqlite-shm", "loopwright.sqlite-journal", "temporal", "logs", "tmp", "keys"];
  const inShared = ["datasets", "uploads", "models"];
  return [...inData.map((p) => path.join(data, p)), ...inShared.map((p) => path.join(shared, p))].map(realOrResolved);
}

/** The real path (symlinks followed) of the longest part of `p` that exists, plus the rest. */
export function realOrResolved(p: string): string {
  const rest: string[] = [];
  let cur = path.resolve(p);
  for (;;) {
    try {
      return path.join(realpathSync(cur), ...rest);
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return path.join(cur, ...rest);
      rest.unshift(path.basename(cur));
      cur = parent;
    }
  }
}

export function isInside(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
