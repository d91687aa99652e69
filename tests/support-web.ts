// The web app as users get it: a production build (`next build`) served by `next start`, pointed at
// the test's Temporal server, worker task queue and data directory.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { freePort } from "../lib/dev-server";
import { projectRoot } from "../lib/paths";

export interface WebApp {
  url: string;
  log(): string;
  stop(): Promise<void>;
}

const next = () => path.join(projectRoot, "node_modules", "next", "dist", "bin", "next");

/** `next build`, unless LOOPWRIGHT_TEST_REUSE_BUILD=1 and a build is there (for quick local reruns). */
export function buildWebApp(): void {
  if (process.env.LOOPWRIGHT_TEST_REUSE_BUILD === "1" && existsSync(path.join(projectRoot, ".next", "BUILD_ID"))) return;
  const build = spawnSync(process.execPath, [next(), "build"], { cwd: projectRoot, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`next build failed:\n${build.stdout}\n${build.stderr}`);
}

export async function startWebApp(env: NodeJS.ProcessEnv): Promise<WebApp> {
  const port = await freePort();
  let log = "";
  const server: ChildProcess = spawn(process.execPath, [next(), "start", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: projectRoot,
    env: { ...env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout!.on("data", (d) => (log += d));
  server.stderr!.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/trpc/health.status`)).status > 0) break;
    } catch {
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`next start did not answer:\n${log}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return {
    url,
    log: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once("exit", () => resolve());
        server.kill("SIGTERM");
      }),
  };
}
