// Worker processes for the integration tests (also used by the global setup, so no vitest imports).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../lib/paths";

export interface WorkerProcess {
  proc: ChildProcess;
  /** Its Temporal identity (as recorded on the node runs it ran). */
  identity: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** tsx's loader (its package's main export) by absolute path, so a worker started in another working directory finds it. */
const TSX = pathToFileURL(path.join(projectRoot, "node_modules", "tsx", "dist", "loader.mjs")).href;

interface Started {
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs a TypeScript entry point in its own process and resolves once its output contains `ready`. */
async function startScript(what: string, script: string, env: NodeJS.ProcessEnv, ready: string, timeoutMs: number, cwd = projectRoot, onOutput?: (all: string) => void): Promise<Started> {
  const proc = spawn(process.execPath, ["--import", TSX, script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const add = (d: Buffer) => {
    out += d;
    onOutput?.(out);
  };
  proc.stdout!.on("data", add);
  proc.stderr!.on("data", add);
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in ${timeoutMs / 1000} s:\n${out}`)), timeoutMs);
    const check = () => {
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on("data", check);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} during start:\n${out}`));
    });
  });
  return {
    proc,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      await exited;
    },
  };
}

/** Start `workflows/worker.ts` in its own process (in `cwd`, default the project) and wait until it polls. */
export async function startWorker(env: NodeJS.ProcessEnv, cwd = projectRoot, onOutput?: (all: string) => void): Promise<WorkerProcess> {
  const started = await startScript("worker", path.join(projectRoot, "workflows", "worker.ts"), env, "worker ready", 120_000, cwd, onOutput);
  return { ...started, identity: /worker ready: (\S+)/.exec(started.output())?.[1] ?? "" };
}

export interface IngestProcess {
  proc: ChildProcess;
  url: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Start the ingest process (`server/ingest/main.ts`) on `port` and wait until it listens. */
export async function startIngest(env: NodeJS.ProcessEnv, port: number): Promise<IngestProcess> {
  const ingestEnv = { ...env, LOOPWRIGHT_INGEST_PORT: String(port), LOOPWRIGHT_INGEST_HOST: "127.0.0.1" };
  const started = await startScript("ingest", path.join(projectRoot, "server", "ingest", "main.ts"), ingestEnv, "listening on", 60_000);
  return { ...started, url: `http://127.0.0.1:${port}` };
}
