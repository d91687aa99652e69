// Where things live. One data directory holds everything a deployment writes.
import { mkdirSync, realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The project directory (where package.json is). Relative file paths in node configs start here. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** `LOOPWRIGHT_DATA_DIR`, or `./.loopwright` in the project directory. */
export function dataDir(): string {
  const dir = path.resolve(projectRoot, process.env.LOOPWRIGHT_DATA_DIR || ".loopwright");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The folder every process shares: `datasets/` (immutable Parquet files), `uploads/` and `models/`
 * (artifacts). `LOOPWRIGHT_SHARED_DIR` points it at a shared mount so workers on other machines
 * read and write the same files (immutable files are safe there); by default it is the data
 * directory. Paths stored in the control plane are relative to it.
 */
export function sharedDir(): string {
  const shared = process.env.LOOPWRIGHT_SHARED_DIR;
  if (!shared) return dataDir();
  const dir = path.resolve(projectRoot, shared);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function dbPath(dir = dataDir()): string {
  return path.join(dir, "loopwright.sqlite");
}

/**
 * Folders that node configs may read and write by path: the project, the data directory, the
 * shared folder, and any listed in `LOOPWRIGHT_FILE_ROOTS` (separated by the platform's path
 * delimiter). A path typed in the browser must not reach the rest of the server's disk.
 */
export function fileRoots(data = dataDir(), env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.LOOPWRIGHT_FILE_ROOTS ?? "").split(path.delimiter).filter(Boolean);
  const shared = env.LOOPWRIGHT_SHARED_DIR ? [env.LOOPWRIGHT_SHARED_DIR] : [];
  return [projectRoot, data, ...shared, ...extra].map((r) => realOrResolved(path.resolve(projectRoot, r)));
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
