// For store tests that run on both backends: a real SQLite file in a temporary directory and a real
// PostgreSQL server (Debian's package), opened before the file's tests and removed after them.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startPostgres, type PostgresTestServer } from "../../lib/postgres-test-server";
import { openStore, type Store } from "./index";

export const BACKENDS = ["sqlite", "postgres"] as const;

/** The stores by backend name (BACKENDS), opened by the beforeAll this registers: call it at the top of a test file. */
export function bothBackends(name: string): Record<string, Store> {
  const backends: Record<string, Store> = {};
  let tmp: string | undefined;
  let pgServer: PostgresTestServer | undefined;
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), `loopwright-${name}-`));
    backends.sqlite = await openStore({ sqliteFile: path.join(tmp, "loopwright.sqlite") });
    pgServer = await startPostgres();
    backends.postgres = await openStore({ url: pgServer.url });
  }, 120_000);
  afterAll(async () => {
    for (const s of Object.values(backends)) await s.close();
    await pgServer?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });
  return backends;
}
