// Once per test run: a real Temporal dev server (in memory, headless, on a free port), a fresh
// data directory with an admin, an editor and a viewer (each with an API key), one worker process
// on a test task queue, the web app (production build), and Mailpit (a real SMTP server whose API
// tests read) with the SMTP connection "mailpit" pointing at it, as npm start makes it.
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
import { mailpitBinary, startMailpit, type Mailpit } from "../lib/mailpit";
import { importEnvConnections } from "../server/services/connection-env";
import { startWorker, type WorkerProcess } from "./support-process";
import { buildWebApp, startWebApp, type WebApp } from "./support-web";

let server: DevServer | undefined;
let worker: WorkerProcess | undefined;
let web: WebApp | undefined;
let dataDir: string | undefined;
let mailpit: Mailpit | undefined;

export async function setup(project: TestProject) {
  const binary = temporalBinary();
  if (!binary) throw new Error("No Temporal CLI found: run the tests with `npm test` (it installs one), or set TEMPORAL_CLI_PATH");
  dataDir = mkdtempSync(path.join(os.tmpdir(), "loopwright-it-"));
  server = await startDevServer({ binary, port: await freePort(), logFile: path.join(dataDir, "logs", "temporal.log") });
  // The auth secret is set rather than generated into a key file, because accounts are made here,
  // in this process, whose own data directory is not the test one.
  process.env.LOOPWRIGHT_AUTH_SECRET ??= randomBytes(32).toString("base64");
  const mailpitPath = mailpitBinary();
  if (!mailpitPath) throw new Error("No Mailpit found: run the tests with `npm test` (it builds one), or set MAILPIT_PATH");
  // Keeps every message (the crash test sends 2,000); duplicates by Message-ID are dropped, as in npm start.
  mailpit = await startMailpit({ binary: mailpitPath, smtpPort: await freePort(), uiPort: await freePort(), logFile: path.join(dataDir, "logs", "mailpit.log") });
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    LOOPWRIGHT_DATA_DIR: dataDir,
    LOOPWRIGHT_TASK_QUEUE: "loopwright-test",
    LOOPWRIGHT_SECRET_MAILPIT: `smtp://127.0.0.1:${mailpit.smtpPort}?from=${encodeURIComponent("Loopwright <loopwright@example.com>")}`,
  };
  await ensureNamespace(temporalSettings(env));
  const accounts = await createAccounts(path.join(dataDir, "loopwright.sqlite"), env);
  buildWebApp();
  // A small upload limit, so a browser test can pass it without a huge file.
  web = await startWebApp({ ...env, TEMPORAL_UI_URL: "http://localhost:8233", LOOPWRIGHT_MAX_UPLOAD_MB: "5" });
  // The worker writes links to the web app into e-mails, so it starts once the app's URL is known.
  worker = await startWorker({ ...env, LOOPWRIGHT_WEB_URL: web.url });
  project.provide("temporalAddress", server.address);
  project.provide("dataDir", dataDir);
  project.provide("taskQueue", "loopwright-test");
  project.provide("webUrl", web.url);
  project.provide("accounts", accounts);
  project.provide("mailpitUrl", mailpit.url);
  project.provide("mailpitSmtp", `127.0.0.1:${mailpit.smtpPort}`);
}

export async function teardown() {
  await web?.stop();
  await worker?.stop();
  await server?.stop();
  await mailpit?.stop();
  if (dataDir && !process.env.LOOPWRIGHT_KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
}

/** One user per role, each with a password and an API key of that role; and the connections the environment defines (the "mailpit" one). */
async function createAccounts(file: string, env: NodeJS.ProcessEnv): Promise<Record<Role, { email: string; password: string; apiKey: string }>> {
  const store = openSqliteStore(file);
  try {
    // Before any test runs a flow, rather than when the web app first opens its store.
    const imported = await importEnvConnections(store, env, { env, dataDir: env.LOOPWRIGHT_DATA_DIR });
    if (!imported.created.includes("mailpit")) throw new Error(`the "mailpit" connection was not made: ${JSON.stringify(imported)}`);
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
