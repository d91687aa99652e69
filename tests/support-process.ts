// Worker processes for the integration tests (also used by the global setup, so no vitest imports).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../lib/paths";

export interface WorkerProcess {
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Start `workflows/worker.ts` in its own process and wait until it polls. */
export async function startWorker(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(projectRoot, "workflows", "worker.ts")], {
    cwd: projectRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in 120 s:\n${out}`)), 120_000);
    const check = () => {
      if (out.includes("worker ready")) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on("data", check);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} during start:\n${out}`));
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

