// Once per test run: a real Temporal dev server (in memory, headless, on a free port), a fresh
// data directory, one worker process on a test task queue, and the web app (production build).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
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
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, LOOPWRIGHT_DATA_DIR: dataDir, LOOPWRIGHT_TASK_QUEUE: "loopwright-test" };
  await ensureNamespace(temporalSettings(env));
  worker = await startWorker(env);
  buildWebApp();
  // A small upload limit, so a browser test can pass it without a huge file.
  web = await startWebApp({ ...env, TEMPORAL_UI_URL: "http://localhost:8233", LOOPWRIGHT_MAX_UPLOAD_MB: "5" });
  project.provide("temporalAddress", server.address);
  project.provide("dataDir", dataDir);
  project.provide("taskQueue", "loopwright-test");
  project.provide("webUrl", web.url);
}

export async function teardown() {
  await web?.stop();
  await worker?.stop();
  await server?.stop();
  if (dataDir && !process.env.LOOPWRIGHT_KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
}
