// Once per test run: a real Temporal dev server (in memory, headless, on a free port), a fresh
// data directory with an admin, an editor and a viewer (each with an API key), one worker process
// on a test task queue, and the web app (production build).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { openSqliteStore } from "../db/store";
import { ROLES, type Role } from "../lib/roles";
import type { Principal } from "../server/access";
import { createAccount, createApiKey } from "../server/services/accounts";
import { ensureNamespace, freePort, startDevServer, temporalBinary, type DevServer } from "../lib/dev-server";
import { temporalSettings } from "../lib/temporal";
import { startWorker, type WorkerProcess } from "./support-process";
import { buildWebApp, startWebApp, type WebApp } from "./support-web";

let server: DevServer | undefined;
let worker: WorkerProcess | undefined;
let web: WebApp | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject) {
  const binary = temporalBinary();
  if (!binary) throw new Error("No Temporal CLI found: run the tests with `npm test` (it installs one), or set TEMPORAL_CLI_PATH");
  dataDir = mkdtempSync(path.join(os.tmpdir(), "loopwright-it-"));
  server = await startDevServer({ binary, port: await freePort(), logFile: path.join(dataDir, "logs", "temporal.log") });
  // The auth secret is set rather than generated into a key file, because accounts are made here,
  // in this process, whose own data directory is not the test one.
  process.env.LOOPWRIGHT_AUTH_SECRET ??= randomBytes(32).toString("base64");
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, LOOPWRIGHT_DATA_DIR: dataDir, LOOPWRIGHT_TASK_QUEUE: "loopwright-test" };
  await ensureNamespace(temporalSettings(env));
  const accounts = await createAccounts(path.join(dataDir, "loopwright.sqlite"));
  worker = await startWorker(env);
  buildWebApp();
  // A small upload limit, so a browser test can pass it without a huge file.
  web = await startWebApp({ ...env, TEMPORAL_UI_URL: "http://localhost:8233", LOOPWRIGHT_MAX_UPLOAD_MB: "5" });
  project.provide("temporalAddress", server.address);
  project.provide("dataDir", dataDir);
  project.provide("taskQueue", "loopwright-test");
  project.provide("webUrl", web.url);
  project.provide("accounts", accounts);
}

export async function teardown() {
  await web?.stop();
  await worker?.stop();
  await server?.stop();
  if (dataDir && !process.env.LOOPWRIGHT_KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
}

/** One user per role, each with a password and an API key of that role. */
async function createAccounts(file: string): Promise<Record<Role, { email: string; password: string; apiKey: string }>> {
  const store = openSqliteStore(file);
  try {
    const out = {} as Record<Role, { email: string; password: string; apiKey: string }>;
    for (const role of [...ROLES].reverse()) {
      const email = `${role}@loopwright.test`;
      const password = `${role}-${randomBytes(9).toString("base64url")}`;
      const user = await createAccount(store, { name: `Test ${role}`, email, password, role });
      const principal: Principal = { userId: user.id, email, name: user.name, role, via: "session" };
      const { key } = await createApiKey(store, principal, { name: "integration tests", role });
      out[role] = { email, password, apiKey: key };
    }
    return out;
  } finally {
    await store.close();
  }
}
