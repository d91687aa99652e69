// `npm start`: the embedded Temporal dev server, one worker and the web app (a production build,
// `next build` once and again only when a source changed, served by `next start`), on defaults
// under the data directory. `npm run dev` (`--dev`) serves the web app with `next dev` instead.
//
// A child that dies is restarted (lib/supervisor.ts: 1 s, doubling to 30 s while it keeps
// crashing). Only Ctrl-C or SIGTERM stops everything, in order: web app and worker first, the dev
// server last, so the worker can finish its shutdown while the server is still there.
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { ensureNamespace, searchAttributesReady, startDevServer, temporalBinary } from "../lib/dev-server";
import { databaseUrl, openStore, redact } from "../db/store/handle";
import { newSetupLink } from "../server/services/accounts";
import { dataDir, dbPath, projectRoot, sharedDir } from "../lib/paths";
import { StoppedError, Supervisor } from "../lib/supervisor";
import { temporalSettings } from "../lib/temporal";
import { ensureWebBuild, WebBuildError } from "../lib/web-build";
import { MAILPIT_DEFAULT_SMTP_PORT, MAILPIT_DEFAULT_UI_PORT, mailpitBinary, startMailpit } from "../lib/mailpit";
import temporalConfig from "../temporal.config";

const KILL_AFTER_MS = 10_000;
const say = (line: string) => console.log(`[loopwright] ${line}`);
const shout = (line: string) => console.error(`[loopwright] ${line}`);

const devMode = process.argv.includes("--dev") || process.env.LOOPWRIGHT_WEB_MODE === "dev";
const supervisor = new Supervisor({ killAfterMs: KILL_AFTER_MS, log: shout });
const buildAbort = new AbortController();
let stopping: Promise<never> | undefined;

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

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    shout(`${name}=${raw} is not a port number.`);
    process.exit(1);
  }
  return port;
}

/** Stop every child (web app and worker first, the Temporal server last), then exit. */
function shutdown(code: number): Promise<never> {
  stopping ??= (async () => {
    buildAbort.abort();
    await supervisor.stop();
    say(code === 0 ? "Stopped." : "Stopped after a failure.");
    process.exit(code);
  })();
  return stopping;
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

async function waitForPort(port: number, host: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    if (await canConnect(port, host)) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

/**
 * Mailpit, the local mail server (its UI beside Temporal's), and the SMTP connection "mailpit"
 * pointing at it (as LOOPWRIGHT_SECRET_MAILPIT, imported by the web app like any such variable,
 * unless the operator set that variable). LOOPWRIGHT_MAILPIT=0 leaves it out. Not fatal: without
 * it, e-mail flows need another SMTP connection. Returns the line to print.
 */
async function startMail(dir: string, childEnv: NodeJS.ProcessEnv): Promise<string> {
  if (process.env.LOOPWRIGHT_MAILPIT === "0") return "off (LOOPWRIGHT_MAILPIT=0)";
  const binary = mailpitBinary();
  if (!binary) {
    shout("warning: Mailpit was not found (MAILPIT_PATH, .tools/bin/mailpit, PATH), so there is no local mail server; `npm start` builds it when Go is installed.");
    return "not installed";
  }
  const smtpPort = portFromEnv("LOOPWRIGHT_MAILPIT_SMTP_PORT", MAILPIT_DEFAULT_SMTP_PORT);
  const uiPort = portFromEnv("LOOPWRIGHT_MAILPIT_UI_PORT", MAILPIT_DEFAULT_UI_PORT);
  childEnv.LOOPWRIGHT_SECRET_MAILPIT ??= `smtp://127.0.0.1:${smtpPort}?from=${encodeURIComponent("Loopwright <loopwright@example.com>")}`;
  if ((await inUse(smtpPort)) || (await inUse(uiPort))) {
    shout(
      `warning: port ${smtpPort} (SMTP) or ${uiPort} (web UI) is already in use (a Mailpit of an earlier start?), so Mailpit is not started; the "mailpit" connection still sends to 127.0.0.1:${smtpPort}. LOOPWRIGHT_MAILPIT_SMTP_PORT and LOOPWRIGHT_MAILPIT_UI_PORT move it.`,
    );
    return `not started (ports in use); SMTP 127.0.0.1:${smtpPort}`;
  }
  const logFile = path.join(dir, "logs", "mailpit.log");
  try {
    await supervisor.add({
      name: "Mailpit",
      // Stops after the worker, which may be finishing a send.
      stopOrder: 1,
      // Keeps the last 10,000 messages in the data directory.
      launch: async () => (await startMailpit({ binary, smtpPort, uiPort, dbFile: path.join(dir, "mailpit", "mailpit.db"), logFile, maxMessages: 10_000, detached: true })).process,
      exitDetails: () => {
        const last = tail(logFile, 15);
        return last ? `Last lines of ${logFile}:\n${last}` : undefined;
      },
    });
  } catch (err) {
    if (err instanceof StoppedError) return "stopped";
    shout(`warning: Mailpit did not start: ${err instanceof Error ? err.message : String(err)}`);
    return "failed to start";
  }
  return `http://localhost:${uiPort}  (SMTP 127.0.0.1:${smtpPort}, the "mailpit" connection)`;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = dataDir();
  const webPort = portFromEnv("PORT", 3000);
  const ingestPort = portFromEnv("LOOPWRIGHT_INGEST_PORT", 3100);
  const embedded = !process.env.TEMPORAL_ADDRESS;
  // Other ports for the embedded server (a second `npm start`, the start benchmark).
  const grpcPort = portFromEnv("LOOPWRIGHT_TEMPORAL_PORT", temporalConfig.devServer.port);
  const uiPort = portFromEnv("LOOPWRIGHT_TEMPORAL_UI_PORT", temporalConfig.devServer.uiPort);
  const logFile = path.join(dir, "logs", "temporal.log");
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOOPWRIGHT_INGEST_PORT: String(ingestPort) };
  childEnv.LOOPWRIGHT_INGEST_URL ??= `http://localhost:${ingestPort}`;
  // Children find the embedded server through LOOPWRIGHT_TEMPORAL_PORT (lib/temporal.ts), not
  // TEMPORAL_ADDRESS, which would mark it as an external cluster.
  if (embedded) childEnv.LOOPWRIGHT_TEMPORAL_PORT = String(grpcPort);
  if (embedded && uiPort !== temporalConfig.devServer.uiPort && !childEnv.TEMPORAL_UI_URL) childEnv.TEMPORAL_UI_URL = `http://localhost:${uiPort}`;

  const busy: string[] = [];
  if (embedded && (await inUse(grpcPort)))
    busy.push(`Port ${grpcPort} (Temporal gRPC) is already in use: another Temporal server, or a previous \`npm start\` still running. Stop it, or set TEMPORAL_ADDRESS=127.0.0.1:${grpcPort} to use that server, or LOOPWRIGHT_TEMPORAL_PORT to start ours on another port.`);
  if (embedded && (await inUse(uiPort))) busy.push(`Port ${uiPort} (Temporal UI) is already in use; set LOOPWRIGHT_TEMPORAL_UI_PORT to use another.`);
  if (await inUse(webPort)) busy.push(`Port ${webPort} (web app) is already in use; set PORT to use another.`);
  if (await inUse(ingestPort)) busy.push(`Port ${ingestPort} (ingest API) is already in use; set LOOPWRIGHT_INGEST_PORT to use another.`);
  if (busy.length) {
    for (const line of busy) shout(line);
    process.exit(1);
  }

  // The production build runs while Temporal and the worker come up.
  const build = devMode
    ? Promise.resolve(undefined)
    : ensureWebBuild(projectRoot, { env: childEnv, signal: buildAbort.signal, log: say, relay: (line) => console.log(`[web build] ${line}`) }).then(
        () => undefined,
        (err: unknown) => err,
      );

  if (embedded) {
    const binary = temporalBinary();
    if (!binary) {
      shout("No Temporal CLI found. Run `npm start` (it builds one with Go), or set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS.");
      return void (await shutdown(1));
    }
    say(`Starting the Temporal dev server (${binary}); log: ${logFile}`);
    try {
      await supervisor.add({
        name: "Temporal dev server",
        stopOrder: 1,
        launch: async () => (await startDevServer({ binary, dbFile: path.join(dir, "temporal", "temporal.db"), port: grpcPort, uiPort, logFile, detached: true })).process,
        exitDetails: () => {
          const last = tail(logFile, 15);
          return last ? `Last lines of ${logFile}:\n${last}` : `Its log (${logFile}) is empty.`;
        },
      });
    } catch (err) {
      if (err instanceof StoppedError) return;
      shout(err instanceof Error ? err.message : String(err));
      const last = tail(logFile, 20);
      if (last) shout(`Last lines of ${logFile}:\n${last}`);
      return void (await shutdown(1));
    }
  }
  if (stopping) return;

  const settings = { ...temporalSettings(childEnv), external: !embedded };
  try {
    const warnings = await ensureNamespace(settings);
    for (const w of warnings) shout(`warning: ${w}`);
    if (embedded && !(await searchAttributesReady(settings))) shout("warning: the search attributes are not visible yet; the first runs may start without them.");
  } catch (err) {
    if (stopping) return;
    shout(`Could not prepare namespace "${settings.namespace}" at ${settings.address}: ${err instanceof Error ? err.message : String(err)}`);
    return void (await shutdown(1));
  }
  if (stopping) return;

  // Links in e-mails (unsubscribe) point at the web app: LOOPWRIGHT_PUBLIC_URL, else this.
  childEnv.LOOPWRIGHT_WEB_URL ??= `http://localhost:${webPort}`;
  const mail = await startMail(dir, childEnv);
  if (stopping) return;

  // Processes `npm start` keeps running; add more here (each restarts on its own when it dies).
  const nodeBin = (name: string) => path.join(projectRoot, "node_modules", ".bin", name);
  if (!existsSync(path.join(projectRoot, "workflows", "worker.ts"))) shout("warning: workflows/worker.ts does not exist yet.");
  const color = process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: "1" } : {};
  // Self-hosted and often offline: no usage telemetry unless the operator opts in.
  const web = { NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? "1" };
  const services = [
    // One process (no tsx launcher in between): a signal that ends it is reported as such.
    { name: "worker", prefix: "[worker] ", cmd: process.execPath, args: ["--import", "tsx", path.join(projectRoot, "workflows", "worker.ts")], env: { ...childEnv, ...color } },
    // Events keep arriving while the web app restarts or rebuilds.
    { name: "ingest", prefix: "[ingest] ", cmd: process.execPath, args: ["--import", "tsx", path.join(projectRoot, "server", "ingest", "main.ts")], env: { ...childEnv, ...color } },
    {
      name: "web app",
      prefix: "[web] ",
      cmd: nodeBin("next"),
      args: [devMode ? "dev" : "start", "--port", String(webPort), "--hostname", "localhost"],
      env: { ...childEnv, ...color, ...web },
      // The production server needs the build; the worker does not wait for it.
      before: () => build,
    },
  ];
  try {
    for (const s of services) {
      const failed = await s.before?.();
      if (stopping) return;
      if (failed) {
        if (failed instanceof WebBuildError) {
          shout(failed.message);
          if (failed.tail.length) shout(`Its last lines:\n${failed.tail.join("\n")}`);
        } else shout(`The web app build failed: ${failed instanceof Error ? failed.message : String(failed)}`);
        return void (await shutdown(1));
      }
      await supervisor.add({ name: s.name, command: { cmd: s.cmd, args: s.args, env: s.env, cwd: projectRoot, prefix: s.prefix } });
    }
  } catch (err) {
    if (err instanceof StoppedError || stopping) return;
    throw err;
  }

  const webReady = await waitForPort(webPort, "localhost", 120_000);
  if (stopping) return;
  const webUrl = (process.env.LOOPWRIGHT_PUBLIC_URL?.trim() || `http://localhost:${webPort}`).replace(/\/$/, "");
  let setupLink: string | null = null;
  try {
    const store = await openStore();
    try {
      setupLink = await newSetupLink(store, webUrl);
    } finally {
      await store.close();
    }
  } catch (err) {
    shout(`Could not check for accounts: ${err instanceof Error ? err.message : String(err)}`);
  }
  const rule = "-".repeat(72);
  const pgUrl = databaseUrl();
  console.log(
    [
      "",
      rule,
      `  Loopwright is running${webReady ? "" : " (the web app is still starting)"}`,
      "",
      `  Web app          ${webUrl}  (${devMode ? "next dev, hot reload" : "production build"})`,
      `  Ingest API       ${childEnv.LOOPWRIGHT_INGEST_URL}  (Segment-compatible: POST /v1/track, /v1/identify, /v1/batch, ...)`,
      `  Temporal UI      ${embedded ? `http://localhost:${uiPort}` : settings.uiUrl}`,
      `  Temporal gRPC    ${settings.address}  (namespace ${settings.namespace}, task queue ${settings.taskQueue}${embedded ? "" : ", external"})`,
      `  Mailpit (e-mail) ${mail}`,
      `  Data directory   ${dir}`,
      `  Database         ${pgUrl ? `PostgreSQL ${redact(pgUrl)}` : `SQLite ${dbPath(dir)}`}`,
      ...(sharedDir() !== dir ? [`  Shared folder    ${sharedDir()}`] : []),
      ...(embedded ? [`  Temporal log     ${logFile}`] : []),
      "",
      ...(setupLink
        ? [
            "  First run: create the owner (admin) account with this one-time link",
            `  (valid 24 hours; a new one is printed at each start until then):`,
            `    ${setupLink}`,
            "  On the server itself you can instead run: npx loopwright admin create --email you@example.com --name You",
            "",
          ]
        : [`  Sign in:  ${webUrl}/login`]),
      "  Try it:  create an API key under Account > API keys, then",
      "           LOOPWRIGHT_API_KEY=<key> npx loopwright run examples/flows/telco-churn.flow.json",
      "  Stop:    Ctrl-C   (a process that dies is restarted)",
      rule,
      "",
    ].join("\n"),
  );
}

main().catch(async (err) => {
  shout(err instanceof Error ? (err.stack ?? err.message) : String(err));
  await shutdown(1);
});
