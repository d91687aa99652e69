// Processes the integration tests drive: worker processes and the CLI, as a user would run them.
import { spawn } from "node:child_process";
import path from "node:path";
import { inject } from "vitest";
import { openSqliteStore, type Store } from "../db/store";
import { projectRoot } from "../lib/paths";
import type { Role } from "../lib/roles";

export { startWorker, type WorkerProcess } from "./support-process";

declare module "vitest" {
  export interface ProvidedContext {
    temporalAddress: string;
    dataDir: string;
    taskQueue: string;
    /** The web app (production build) on the test Temporal server and data directory. */
    webUrl: string;
    /** One account per role, made by the global setup. */
    accounts: Record<Role, { email: string; password: string; apiKey: string }>;
    /** Mailpit's web UI and API (e.g. http://127.0.0.1:54321); the SMTP connection "mailpit" sends to it. */
    mailpitUrl: string;
    /** host:port of its SMTP server. */
    mailpitSmtp: string;
  }
}

/** E-mail and password of the test account with this role. */
export const account = (role: Role) => inject("accounts")[role];
export const apiKey = (role: Role) => inject("accounts")[role].apiKey;

/** Headers for a request to the app as `role` (by API key), from the app's own origin. */
export function authHeaders(role: Role = "editor"): Record<string, string> {
  return { authorization: `Bearer ${apiKey(role)}`, origin: inject("webUrl") };
}

export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: inject("temporalAddress"),
    LOOPWRIGHT_DATA_DIR: inject("dataDir"),
    LOOPWRIGHT_TASK_QUEUE: inject("taskQueue"),
    LOOPWRIGHT_URL: inject("webUrl"),
    LOOPWRIGHT_API_KEY: apiKey("editor"),
    TEMPORAL_UI_URL: "http://localhost:8233",
    // Workers started by tests write links to the test web app into e-mails.
    LOOPWRIGHT_WEB_URL: inject("webUrl"),
    ...extra,
  };
}

let store: Store | undefined;

/** The control-plane store the test worker and web app use (one handle per test file). */
export function testStore(): Store {
  return (store ??= openSqliteStore(path.join(inject("dataDir"), "loopwright.sqlite")));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the `loopwright` command the way a user does (through bin/loopwright.mjs). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = testEnv()): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(projectRoot, "bin", "loopwright.mjs"), ...args], { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    proc.on("error", reject);
    proc.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

export function lastJsonLine(stdout: string): any {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!);
}

const cookies = new Map<Role, Promise<string>>();

/** A session cookie (`name=value`) for the test account with this role, signed in once per test file. */
export function sessionCookie(role: Role = "editor"): Promise<string> {
  let cookie = cookies.get(role);
  if (!cookie) {
    cookie = (async () => {
      const base = inject("webUrl");
      const res = await fetch(`${base}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: base },
        body: JSON.stringify({ email: account(role).email, password: account(role).password }),
      });
      if (res.status !== 200) throw new Error(`signing in as ${role} failed: HTTP ${res.status} ${await res.text()}`);
      return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    })();
    cookies.set(role, cookie);
  }
  return cookie;
}
