// Mailpit (github.com/axllent/mailpit): a real SMTP server that keeps what it receives and shows it
// in a web UI, so `npm start` sends e-mail somewhere real by default and tests read what arrived
// through its API. Built once with Go into the tools cache (scripts/bootstrap.mjs), like the
// Temporal CLI. Run with --ignore-duplicate-ids: a message whose Message-ID it already has is
// accepted and dropped, so a resend after a crash (the e-mail node derives Message-IDs from its
// ledger keys) does not show up twice.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "./paths";

export const MAILPIT_MODULE = "github.com/axllent/mailpit@v1.33.1";
export const MAILPIT_DEFAULT_SMTP_PORT = 1025;
export const MAILPIT_DEFAULT_UI_PORT = 8025;

/** MAILPIT_PATH, else the tools cache (.tools/bin/mailpit), else `mailpit` on PATH. */
export function mailpitBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MAILPIT_PATH) return env.MAILPIT_PATH;
  const cached = path.join(path.resolve(projectRoot, env.LOOPWRIGHT_TOOLS_DIR || ".tools"), "bin", "mailpit");
  if (existsSync(cached)) return cached;
  for (const dir of (env.PATH || "").split(path.delimiter)) {
    const candidate = path.join(dir, "mailpit");
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface MailpitOptions {
  binary: string;
  smtpPort: number;
  uiPort: number;
  /** Where it keeps messages (kept across restarts); in memory when absent. */
  dbFile?: string;
  /** Its output goes here (appended); discarded when absent. */
  logFile?: string;
  /** Messages kept, oldest dropped first; 0 keeps all. Default 0. */
  maxMessages?: number;
  detached?: boolean;
  /** More of its flags (e.g. --smtp-allowed-recipients for a test). */
  extraArgs?: string[];
}

export interface Mailpit {
  smtpHost: string;
  smtpPort: number;
  /** Web UI and API, e.g. http://127.0.0.1:8025. */
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The command line: loopback only, no update check or reverse DNS (often offline), duplicates by Message-ID dropped. */
export function mailpitArgs(o: MailpitOptions): string[] {
  const args = ["--smtp", `127.0.0.1:${o.smtpPort}`, "--listen", `127.0.0.1:${o.uiPort}`, "--ignore-duplicate-ids", "--disable-version-check", "--smtp-disable-rdns", "--quiet"];
  args.push("--max", String(o.maxMessages ?? 0));
  if (o.dbFile) args.push("--database", o.dbFile);
  return [...args, ...(o.extraArgs ?? [])];
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

export async function startMailpit(o: MailpitOptions): Promise<Mailpit> {
  const args = mailpitArgs(o);
  if (o.dbFile) mkdirSync(path.dirname(o.dbFile), { recursive: true, mode: 0o700 });
  let stdio: Array<"ignore" | number> = ["ignore", "ignore", "ignore"];
  if (o.logFile) {
    mkdirSync(path.dirname(o.logFile), { recursive: true, mode: 0o700 });
    const fd = openSync(o.logFile, "a", 0o600);
    stdio = ["ignore", fd, fd];
  }
  // Its own settings only: MP_* variables in our environment would override the command line.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("MP_"))) as NodeJS.ProcessEnv;
  const child = spawn(o.binary, args, { stdio, env, detached: o.detached ?? false });
  if (typeof stdio[1] === "number") closeSync(stdio[1]);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  child.once("error", () => (gone = true));
  const url = `http://127.0.0.1:${o.uiPort}`;
  const deadline = Date.now() + 30_000;
  while (!(await ready(url))) {
    if (gone || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`Mailpit did not start${gone ? " (it exited)" : " within 30 s"}${o.logFile ? `; see ${o.logFile}` : ""} (command: ${o.binary} ${args.join(" ")})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    smtpHost: "127.0.0.1",
    smtpPort: o.smtpPort,
    url,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Its API (https://mailpit.axllent.org/docs/api-v1/), the parts tests read.

export interface MailpitAddress {
  Name: string;
  Address: string;
}

export interface MailpitSummary {
  ID: string;
  MessageID: string;
  From: MailpitAddress;
  To: MailpitAddress[];
  Subject: string;
}

export interface MailpitMessage extends MailpitSummary {
  Text: string;
  HTML: string;
}

export class MailpitApi {
  constructor(readonly url: string) {}

  private async get<T>(p: string): Promise<T> {
    const res = await fetch(`${this.url}${p}`);
    if (!res.ok) throw new Error(`Mailpit ${p}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Every stored message (newest first), page by page. */
  async messages(): Promise<MailpitSummary[]> {
    const out: MailpitSummary[] = [];
    for (let start = 0; ; start += 1000) {
      const page = await this.get<{ total: number; messages: MailpitSummary[] }>(`/api/v1/messages?start=${start}&limit=1000`);
      out.push(...page.messages);
      if (!page.messages.length || out.length >= page.total) return out;
    }
  }

  /** Messages matching a search (e.g. `to:ann@example.com`, `subject:"Hello"`). */
  async search(query: string): Promise<MailpitSummary[]> {
    const page = await this.get<{ messages: MailpitSummary[] }>(`/api/v1/search?query=${encodeURIComponent(query)}&limit=1000`);
    return page.messages;
  }

  message(id: string): Promise<MailpitMessage> {
    return this.get(`/api/v1/message/${encodeURIComponent(id)}`);
  }

  /** Headers by name, each with every value it was given. */
  headers(id: string): Promise<Record<string, string[]>> {
    return this.get(`/api/v1/message/${encodeURIComponent(id)}/headers`);
  }

  /** Counters since it started: SMTPAccepted, SMTPIgnored (duplicates dropped), SMTPRejected. */
  async stats(): Promise<{ messages: number; accepted: number; ignored: number; rejected: number }> {
    const info = await this.get<{ Messages: number; RuntimeStats: { SMTPAccepted: number; SMTPIgnored: number; SMTPRejected: number } }>("/api/v1/info");
    return { messages: info.Messages, accepted: info.RuntimeStats.SMTPAccepted, ignored: info.RuntimeStats.SMTPIgnored, rejected: info.RuntimeStats.SMTPRejected };
  }

  async deleteAll(): Promise<void> {
    const res = await fetch(`${this.url}/api/v1/messages`, { method: "DELETE" });
    if (!res.ok) throw new Error(`Mailpit delete: HTTP ${res.status}`);
  }
}
