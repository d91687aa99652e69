// `npm start`: the embedded Temporal dev server, one worker and the web app, on defaults under the
// data directory. Ctrl-C stops them in order: web app and worker first, the dev server last, so the
// worker can finish its shutdown while the server is still there.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { ensureNamespace, searchAttributesReady, startDevServer, temporalBinary, type DevServer } from "../lib/dev-server";
import { dataDir, dbPath, projectRoot } from "../lib/paths";
import { temporalSettings } from "../lib/temporal";
import temporalConfig from "../temporal.config";

const KILL_AFTER_MS = 10_000;
const say = (line: string) => console.log(`[loopwright] ${line}`);
const shout = (line: string) => console.error(`[loopwright] ${line}`);

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<void>;
  done: boolean;
}

const children: Child[] = [];
let devServer: DevServer | undefined;
let starting = true;
let stopping = false;
let exitCode = 0;

// ---------------------------------------------------------------------------------------------

/** True when something already listens on host:port (we could not bind it). */
function portTaken(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EADDRINUSE" || err.code === "EACCES"));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1_000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

async function inUse(port: number): Promise<boolean> {
  for (const host of ["127.0.0.1", "::1"]) if (await portTaken(port, host)) return true;
  return canConnect(port, "127.0.0.1");
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** A child in its own process group (so a stop reaches everything it spawned), output prefixed. */
function launch(name: string, prefix: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(cmd, args, { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const child: Child = { name, process: proc, done: false, exited: Promise.resolve() };
  child.exited = new Promise((resolve) => {
    proc.once("error", (err) => {
      child.done = true;
      if (!stopping) {
        shout(`Could not start the ${name}: ${err.message}`);
        void shutdown(1);
      }
      resolve();
    });
    proc.once("exit", (code, signal) => {
      child.done = true;
      if (!stopping) {
        shout(`The ${name} exited unexpectedly (${describeExit(code, signal)}); its last output is above. Stopping everything.`);
        void shutdown(1);
      }
      resolve();
    });
  });
  for (const [stream, out] of [[proc.stdout, process.stdout], [proc.stderr, process.stderr]] as const) {
    createInterface({ input: stream!, crlfDelay: Infinity }).on("line", (line) => out.write(`${prefix}${line}\n`));
  }
  children.push(child);
  return child;
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (!pid) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // the group is gone
  }
}

async function stopChild(child: Child): Promise<void> {
  const pid = child.process.pid;
  if (!child.done) {
    signalGroup(pid, "SIGTERM");
    const killer = setTimeout(() => {
      shout(`The ${child.name} did not stop within ${KILL_AFTER_MS / 1000} s; killing it.`);
      signalGroup(pid, "SIGKILL");
    }, KILL_AFTER_MS);
    await child.exited;
    clearTimeout(killer);
  }
  // Whatever it spawned and left behind (e.g. a Next.js server process) goes too.
  if (signalGroup(pid, "SIGTERM")) {
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline && signalGroup(pid, 0 as unknown as NodeJS.Signals)) await new Promise((r) => setTimeout(r, 100));
    signalGroup(pid, "SIGKILL");
  }
}

async function teardown(): Promise<never> {
  await Promise.all(children.map(stopChild));
  if (devServer) {
    say("Stopping the Temporal dev server...");
    await devServer.stop();
  }
  say(exitCode === 0 ? "Stopped." : "Stopped after a failure.");
  process.exit(exitCode);
}

async function shutdown(code: number): Promise<void> {
  if (code !== 0) exitCode = code;
  if (stopping) return;
  stopping = true;
  if (!starting) await teardown();
  // During start-up, the start-up sequence notices `stopping` at its next step and tears down.
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (stopping) {
      say(`${signal}: already stopping (children get SIGKILL after ${KILL_AFTER_MS / 1000} s).`);
      return;
    }
    say(`${signal} received: stopping the web app and worker, then the Temporal dev server...`);
    void shutdown(0);
  });
}

async function checkpoint(): Promise<void> {
  if (stopping) await teardown();
}

async function waitForPort(port: number, host: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    if (await canConnect(port, host)) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = dataDir();
  const webPort = Number(process.env.PORT || 3000);
  const embedded = !process.env.TEMPORAL_ADDRESS;
  const { port: grpcPort, uiPort } = temporalConfig.devServer;
  const logFile = path.join(dir, "logs", "temporal.log");
  const childEnv: NodeJS.ProcessEnv = { ...process.env };

  const busy: string[] = [];
  if (embedded && (await inUse(grpcPort)))
    busy.push(`Port ${grpcPort} (Temporal gRPC) is already in use: another Temporal server, or a previous \`npm start\` still running. Stop it, or set TEMPORAL_ADDRESS=127.0.0.1:${grpcPort} to use that server.`);
  if (embedded && (await inUse(uiPort))) busy.push(`Port ${uiPort} (Temporal UI) is already in use.`);
  if (await inUse(webPort)) busy.push(`Port ${webPort} (web app) is already in use; set PORT to use another.`);
  if (busy.length) {
    for (const line of busy) shout(line);
    process.exit(1);
  }

  if (embedded) {
    const binary = temporalBinary();
    if (!binary) {
      shout("No Temporal CLI found. Run `npm start` (it builds one with Go), or set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS.");
      process.exit(1);
    }
    say(`Starting the Temporal dev server (${binary}); log: ${logFile}`);
    try {
      devServer = await startDevServer({ binary, dbFile: path.join(dir, "temporal", "temporal.db"), port: grpcPort, uiPort, logFile });
    } catch (err) {
      shout(err instanceof Error ? err.message : String(err));
      const last = tail(logFile, 20);
      if (last) shout(`Last lines of ${logFile}:\n${last}`);
      exitCode = 1;
      await teardown();
    }
    devServer!.process.once("exit", (code, signal) => {
      if (stopping) return;
      const last = tail(logFile, 20);
      shout(`The Temporal dev server exited unexpectedly (${describeExit(code, signal)}). ${last ? `Last lines of ${logFile}:\n${last}` : `Its log (${logFile}) is empty.`}`);
      devServer = undefined;
      void shutdown(1);
    });
    // No TEMPORAL_ADDRESS for the children: its default is this embedded server (and unset means
    // "not an external cluster").
    await checkpoint();
  }

  const settings = temporalSettings(childEnv);
  try {
    const warnings = await ensureNamespace(settings);
    for (const w of warnings) shout(`warning: ${w}`);
    if (embedded && !(await searchAttributesReady(settings))) shout("warning: the search attributes are not visible yet; the first runs may start without them.");
  } catch (err) {
    shout(`Could not prepare namespace "${settings.namespace}" at ${settings.address}: ${err instanceof Error ? err.message : String(err)}`);
    exitCode = 1;
    await teardown();
  }
  await checkpoint();

  const nodeBin = (name: string) => path.join(projectRoot, "node_modules", ".bin", name);
  if (!existsSync(path.join(projectRoot, "workflows", "worker.ts"))) shout("warning: workflows/worker.ts does not exist yet.");
  const color = process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: "1" } : {};
  launch("worker", "[worker] ", nodeBin("tsx"), [path.join(projectRoot, "workflows", "worker.ts")], { ...childEnv, ...color });
  // Self-hosted and often offline: no usage telemetry unless the operator opts in.
  const web = { NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? "1" };
  launch("web app", "[web] ", nodeBin("next"), ["dev", "--port", String(webPort), "--hostname", "localhost"], { ...childEnv, ...color, ...web });
  starting = false;
  await checkpoint();

  const webReady = await waitForPort(webPort, "localhost", 120_000);
  if (stopping) return;
  const rule = "-".repeat(72);
  console.log(
    [
      "",
      rule,
      `  Loopwright is running${webReady ? "" : " (the web app is still starting)"}`,
      "",
      `  Web app          http://localhost:${webPort}`,
      `  Temporal UI      ${embedded ? `http://localhost:${uiPort}` : settings.uiUrl}`,
      `  Temporal gRPC    ${settings.address}  (namespace ${settings.namespace}, task queue ${settings.taskQueue}${embedded ? "" : ", external"})`,
      `  Data directory   ${dir}`,
      `  Database         ${dbPath(dir)}`,
      ...(embedded ? [`  Temporal log     ${logFile}`] : []),
      "",
      "  Try it:  npx loopwright run examples/flows/telco-churn.flow.json",
      "  Stop:    Ctrl-C",
      rule,
      "",
    ].join("\n"),
  );
}

main().catch(async (err) => {
  shout(err instanceof Error ? (err.stack ?? err.message) : String(err));
  exitCode = 1;
  starting = false;
  stopping = true;
  await teardown();
});
