// Runs DuckDB queries in a child process (reader-child.mjs), so a file that crashes DuckDB's
// native code costs one request instead of the web server. Used to describe and preview uploads.
import { fork } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { lockdown, type DuckDBScope } from "../../db/duckdb";
import { projectRoot } from "../../lib/paths";

/** The child script. Plain JavaScript beside this file, found from the project folder so it also works from the Next server bundle. */
export const READER_SCRIPT = path.join(projectRoot, "server", "services", "reader-child.mjs");

/** How long one reader may take before it is killed: describing a 200 MB CSV takes seconds. */
export const READER_TIMEOUT_MS = 5 * 60_000;

/** Readers running at once in this process; more wait their turn. */
const MAX_READERS = 4;

/** The reader process died without answering: killed by a signal (a crash, the OOM killer) or exited on its own. */
export class ReaderCrashed extends Error {
  constructor(
    readonly signal: NodeJS.Signals | null,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`the reader process ${signal ? `was killed by ${signal}` : `exited with code ${exitCode}`} without answering${stderr ? `: ${stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`);
    this.name = "ReaderCrashed";
  }
}

/** The reader took longer than its time and was killed. */
export class ReaderTimedOut extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the reader took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`);
    this.name = "ReaderTimedOut";
  }
}

export interface ReaderOptions {
  timeoutMs?: number;
  /** Another child script (tests: one that crashes or hangs). */
  script?: string;
}

type Rows = Record<string, unknown>[];
type Answer = { ok: true; results: Rows[] } | { ok: false; error: string };

/** What the reader needs from the environment (time zone, locale, paths), and none of the app's secrets. */
function readerEnv(): NodeJS.ProcessEnv {
  const keep = /^(PATH|HOME|TMPDIR|TZ|LANG|LC_[A-Z]+|NODE_ENV|SystemRoot)$/;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => keep.test(k))) as NodeJS.ProcessEnv;
}

let running = 0;
const waiting: (() => void)[] = [];

async function turn<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_READERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Runs `queries` in a fresh DuckDB in a child process, locked down to `scope` (see
 * db/duckdb.ts lockdown), and returns each query's rows (bigints, dates and nested values
 * come back as they are: the IPC channel uses structured clone). DuckDB's own errors reject with
 * its message; a crash rejects with ReaderCrashed, a reader past its time with ReaderTimedOut.
 * The spill folder is removed afterwards, also when the child could not.
 */
export function runReader(scope: DuckDBScope, queries: string[], opts: ReaderOptions = {}): Promise<Rows[]> {
  const { options, statements } = lockdown(scope);
  const timeoutMs = opts.timeoutMs ?? READER_TIMEOUT_MS;
  return turn(async () => {
    try {
      return await new Promise<Rows[]>((resolve, reject) => {
        // No execArgv: the parent's flags (a test runner's loaders, inspector ports) are not the reader's.
        // turbopackIgnore: the script is run as it is on disk, not bundled into the web app.
        const child = fork(/* turbopackIgnore: true */ opts.script ?? READER_SCRIPT, [], {
          execArgv: [],
          env: readerEnv(),
          serialization: "advanced",
          stdio: ["ignore", "ignore", "pipe", "ipc"],
        });
        let answer: Answer | undefined;
        let timedOut = false;
        let stderr = "";
        child.stderr?.on("data", (d: Buffer) => {
          stderr = (stderr + d.toString()).slice(-4000);
        });
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, timeoutMs);
        child.on("message", (m) => {
          answer = m as Answer;
        });
        // Failing to start at all (no exit follows). A child that dies before it reads its job
        // makes send() fail too; its exit says why.
        child.once("error", (err) => {
          clearTimeout(timer);
          child.kill("SIGKILL");
          reject(err);
        });
        child.once("exit", (code, signal) => {
          clearTimeout(timer);
          if (answer?.ok) resolve(answer.results);
          else if (answer) reject(new Error(answer.error));
          else if (timedOut) reject(new ReaderTimedOut(timeoutMs));
          else reject(new ReaderCrashed(signal, code, stderr));
        });
        child.send({ options, statements, queries }, () => undefined);
      });
    } finally {
      await rm(scope.tempDirectory, { recursive: true, force: true });
    }
  });
}
