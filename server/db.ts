// The web app's one SQLite handle. Opened on first use (never at import, so `next build` does not
// create a data directory), and kept on globalThis so dev-mode module reloads reuse it instead of
// leaking file handles.
import "server-only";
import { openDb, type Db } from "../db/client";

const g = globalThis as typeof globalThis & { __loopwrightDb?: Db };

export function getDb(): Db {
  return (g.__loopwrightDb ??= openDb());
}

export type { Db };
