// Where things live. One data directory holds everything a deployment writes.
import { mkdirSync } from "node:fs";
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

export function dbPath(dir = dataDir()): string {
  return path.join(dir, "loopwright.sqlite");
}
