#!/usr/bin/env node
// Entry of `npm start|dev|test|bench|worker`. Node built-ins only: it runs before node_modules exists.
// It installs dependencies when they are stale, finds (or builds) the Temporal CLI, then runs the
// real command with the project's local binaries.
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const say = (line) => console.log(`[loopwright] ${line}`);
const fail = (message) => {
  console.error(`[loopwright] ${message}`);
  process.exit(1);
};

const TEMPORAL_CLI_MODULE = "github.com/temporalio/cli/cmd/temporal@v1.5.1";
// The local mail server npm start sends e-mail to (lib/mailpit.ts keeps the same version).
const MAILPIT_MODULE = "github.com/axllent/mailpit@v1.33.1";
const NODE_HEADERS = "/usr/include/node/node.h";

const COMMANDS = {
  // The web app as a production build (`next build` when sources changed, then `next start`).
  start: { temporal: true, mailpit: "wanted" },
  // The same, with the web app under `next dev` (hot reload) and no build.
  dev: { temporal: true, mailpit: "wanted" },
  test: { temporal: true, mailpit: "required" },
  bench: { temporal: true, mailpit: "required" },
  // A worker connects to a running server (`npm start`'s, or TEMPORAL_ADDRESS); it never starts one.
  worker: { temporal: false },
};

// ---------------------------------------------------------------------------------------------
// (a) dependencies

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function installReason() {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  if (!existsSync(path.join(root, "node_modules"))) return "node_modules is missing";
  const installed = mtime(marker);
  if (installed === undefined) return "node_modules/.package-lock.json is missing";
  for (const f of ["package-lock.json", "package.json"]) {
    const t = mtime(path.join(root, f));
    if (t !== undefined && t > installed) return `${f} changed since the last install`;
  }
  return undefined;
}

function npmEnv() {
  const env = { ...process.env };
  // node-gyp cannot download Node headers offline; the distro ships them.
  if (!env.npm_config_nodedir && existsSync(NODE_HEADERS)) env.npm_config_nodedir = "/usr";
  return env;
}

function ensureDependencies() {
  const reason = installReason();
  if (!reason) return;
  const env = npmEnv();
  say(`Installing dependencies (${reason}): npm install${env.npm_config_nodedir ? ` (npm_config_nodedir=${env.npm_config_nodedir})` : ""}`);
  // Under `npm run`, npm_execpath is the npm that runs us; otherwise the npm on PATH.
  const viaNode = process.env.npm_execpath && /\.c?js$/.test(process.env.npm_execpath);
  const [cmd, args] = viaNode ? [process.execPath, [process.env.npm_execpath, "install"]] : ["npm", ["install"]];
  const res = spawnSync(cmd, args, { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
  if (res.error) fail(`npm install could not start: ${res.error.message}`);
  if (res.status !== 0) fail(`npm install failed (exit ${res.status ?? res.signal}); see the output above.`);
  // npm leaves the marker untouched when nothing changed; touch it so we do not reinstall every time.
  const marker = path.join(root, "node_modules", ".package-lock.json");
  if (existsSync(marker)) {
    const now = new Date();
    utimesSync(marker, now, now);
  }
}

// ---------------------------------------------------------------------------------------------
// (b) the Temporal CLI

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function toolsDir() {
  return path.resolve(root, process.env.LOOPWRIGHT_TOOLS_DIR || ".tools");
}

function findTemporal() {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) fail(`TEMPORAL_CLI_PATH=${explicit} is not an executable file.`);
    return path.resolve(explicit);
  }
  const cached = path.join(toolsDir(), "bin", "temporal");
  if (isExecutable(cached)) return cached;
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, "temporal"))) return path.join(dir, "temporal");
  }
  return undefined;
}

function findGo() {
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, "go"))) return path.join(dir, "go");
  }
  return isExecutable("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : undefined;
}

function elapsed(ms) {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

async function buildTemporal(go) {
  const gobin = path.join(toolsDir(), "bin");
  mkdirSync(gobin, { recursive: true });
  say(`The Temporal CLI was not found (TEMPORAL_CLI_PATH, ${path.join(gobin, "temporal")}, PATH).`);
  say(`Building it once with Go: GOBIN=${gobin} ${go} install ${TEMPORAL_CLI_MODULE}`);
  say("This takes about 5 minutes the first time; later runs reuse the binary.");
  const started = Date.now();
  const env = { ...process.env, GOBIN: gobin, PATH: `${path.dirname(go)}${path.delimiter}${process.env.PATH || ""}` };
  const child = spawn(go, ["install", TEMPORAL_CLI_MODULE], { cwd: os.tmpdir(), env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const relay = (chunk) => {
    const text = chunk.toString();
    output += text;
    for (const line of text.split("\n")) if (line.trim()) console.log(`  ${line}`);
  };
  child.stdout.on("data", relay);
  child.stderr.on("data", relay);
  const timer = setInterval(() => say(`  still building the Temporal CLI... ${elapsed(Date.now() - started)} elapsed`), 15_000);
  const stopBuild = () => child.kill("SIGTERM");
  process.once("SIGINT", stopBuild);
  process.once("SIGTERM", stopBuild);
  const result = await new Promise((resolve) => {
    child.on("error", (err) => resolve({ code: null, error: err }));
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  clearInterval(timer);
  process.off("SIGINT", stopBuild);
  process.off("SIGTERM", stopBuild);
  const built = path.join(gobin, "temporal");
  if (result.code !== 0 || !isExecutable(built)) {
    console.error(`[loopwright] Building the Temporal CLI failed (${result.error ? result.error.message : `exit ${result.code ?? result.signal}`}) after ${elapsed(Date.now() - started)}:`);
    console.error(output.trim() || "(go printed nothing)");
    console.error(`[loopwright] Alternatives: set TEMPORAL_CLI_PATH to a temporal binary, or TEMPORAL_ADDRESS to a running Temporal server.`);
    process.exit(1);
  }
  say(`Built the Temporal CLI in ${elapsed(Date.now() - started)}: ${built}`);
  return built;
}

async function ensureTemporal(canBuild) {
  const found = findTemporal();
  if (found || !canBuild) return found;
  const go = findGo();
  if (!go) {
    fail(
      [
        "The Temporal CLI is needed to run the embedded Temporal dev server, and none was found.",
        "Do one of these:",
        `  - install Go (https://go.dev/dl/) and run this again: it builds the CLI into ${path.join(toolsDir(), "bin")}`,
        "  - set TEMPORAL_CLI_PATH to a temporal binary (https://docs.temporal.io/cli#install)",
        "  - set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TLS settings) to use a running Temporal server",
      ].join("\n"),
    );
  }
  return buildTemporal(go);
}

// ---------------------------------------------------------------------------------------------
// (b2) Mailpit, the local mail server: found like the Temporal CLI, or built once with Go.

function findMailpit() {
  const explicit = process.env.MAILPIT_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) fail(`MAILPIT_PATH=${explicit} is not an executable file.`);
    return path.resolve(explicit);
  }
  const cached = path.join(toolsDir(), "bin", "mailpit");
  if (isExecutable(cached)) return cached;
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, "mailpit"))) return path.join(dir, "mailpit");
  }
  return undefined;
}

async function buildMailpit(go) {
  const gobin = path.join(toolsDir(), "bin");
  mkdirSync(gobin, { recursive: true });
  say(`Mailpit (the local mail server e-mail flows send to) was not found (MAILPIT_PATH, ${path.join(gobin, "mailpit")}, PATH).`);
  say(`Building it once with Go: GOBIN=${gobin} ${go} install ${MAILPIT_MODULE} (about 2 minutes the first time).`);
  const started = Date.now();
  const env = { ...process.env, GOBIN: gobin, PATH: `${path.dirname(go)}${path.delimiter}${process.env.PATH || ""}` };
  const child = spawn(go, ["install", MAILPIT_MODULE], { cwd: os.tmpdir(), env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const timer = setInterval(() => say(`  still building Mailpit... ${elapsed(Date.now() - started)} elapsed`), 15_000);
  const stopBuild = () => child.kill("SIGTERM");
  process.once("SIGINT", stopBuild);
  process.once("SIGTERM", stopBuild);
  const result = await new Promise((resolve) => {
    child.on("error", (err) => resolve({ code: null, error: err }));
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  clearInterval(timer);
  process.off("SIGINT", stopBuild);
  process.off("SIGTERM", stopBuild);
  const built = path.join(gobin, "mailpit");
  if (result.code !== 0 || !isExecutable(built)) {
    console.error(`[loopwright] Building Mailpit failed (${result.error ? result.error.message : `exit ${result.code ?? result.signal}`}) after ${elapsed(Date.now() - started)}:`);
    console.error(output.trim().split("\n").slice(-30).join("\n") || "(go printed nothing)");
    return undefined;
  }
  say(`Built Mailpit in ${elapsed(Date.now() - started)}: ${built}`);
  return built;
}

/** The Mailpit binary, built when missing; undefined (with a warning) when it cannot be had and is not required. */
async function ensureMailpit(need) {
  if (!need || process.env.LOOPWRIGHT_MAILPIT === "0") return undefined;
  const found = findMailpit();
  if (found) return found;
  const go = findGo();
  const built = go ? await buildMailpit(go) : undefined;
  if (built) return built;
  const how = `install Go (https://go.dev/dl/) and run this again, or set MAILPIT_PATH to a mailpit binary (https://mailpit.axllent.org/docs/install/)`;
  if (need === "required") fail(`The e-mail tests need Mailpit, and none could be found or built: ${how}.`);
  say(`warning: no Mailpit (${go ? "the build failed" : "no Go to build it"}), so there is no local mail server; e-mail flows need an SMTP connection. To get one: ${how}.`);
  return undefined;
}

/**
 * Chromium for the browser tests and the canvas benchmark (driven by playwright-core, which never
 * downloads browsers). Debian's package is installed when missing and we are root.
 */
function ensureChromium() {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean);
  const found = candidates.find((c) => isExecutable(c));
  if (found) return found;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root && isExecutable("/usr/bin/apt-get")) {
    say("Installing Chromium for the browser tests (apt-get install chromium)...");
    const opts = { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } };
    spawnSync("apt-get", ["update", "-qq"], opts);
    const r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], opts);
    if (r.status === 0 && isExecutable("/usr/bin/chromium")) return "/usr/bin/chromium";
  }
  fail("The browser tests need Chromium. Install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.");
}

/** PostgreSQL binaries for the SQL source's tests (each test run starts its own throwaway server). */
function ensurePostgres() {
  const base = "/usr/lib/postgresql";
  const found = () => existsSync(base) && readdirSync(base).some((v) => isExecutable(path.join(base, v, "bin", "initdb")));
  if (found()) return;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root && isExecutable("/usr/bin/apt-get")) {
    say("Installing PostgreSQL for the SQL source tests (apt-get install postgresql)...");
    const opts = { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } };
    spawnSync("apt-get", ["update", "-qq"], opts);
    spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "postgresql"], opts);
    if (found()) return;
  }
  fail("The SQL source tests need PostgreSQL's server binaries. Install them (Debian/Ubuntu: apt-get install postgresql).");
}

// ---------------------------------------------------------------------------------------------
// (c) the command

/**
 * Run a child in its own process group so a terminal Ctrl-C reaches it once, through us, and the
 * child decides the shutdown order (e.g. the dev server last). Resolves with the exit code.
 */
function run(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "inherit", "inherit"], detached: true });
    const forward = (signal) => {
      try {
        child.kill(signal === "SIGHUP" ? "SIGTERM" : signal);
      } catch {
        /* already gone */
      }
    };
    const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
    for (const s of signals) process.on(s, forward);
    // npm relays SIGTERM to the `sh -c` it runs us in, which dies without passing it on (e.g. on
    // `docker stop`). Losing our parent means we were asked to stop.
    const parent = process.ppid;
    const orphanWatch = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(orphanWatch);
        forward("SIGTERM");
      }
    }, 500);
    child.on("error", (err) => {
      console.error(`[loopwright] Could not start ${cmd}: ${err.message}`);
      resolve(1);
    });
    child.on("exit", (code, signal) => {
      clearInterval(orphanWatch);
      for (const s of signals) process.off(s, forward);
      // Anything the child left behind in its group (a grandchild it forgot) goes with it.
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        /* the group is empty */
      }
      resolve(code ?? 128 + (os.constants.signals[signal] ?? 1));
    });
  });
}

/**
 * Counts from vitest's JSON report. A run can fail with no failed test (a test file that does not
 * import, a global setup that throws, an unhandled error): then the failed suites (at least 1) are
 * counted, so the summary never reads "0 failed" next to a failing exit code.
 */
function testCount(jsonFile, exitCode) {
  let passed = 0;
  let failed = 1;
  try {
    const report = JSON.parse(readFileSync(jsonFile, "utf8"));
    if (typeof report.numPassedTests === "number" && typeof report.numFailedTests === "number") {
      passed = report.numPassedTests;
      failed = report.numFailedTests;
      if (exitCode !== 0 && failed === 0) failed = Math.max(1, report.numFailedTestSuites || 0);
    }
  } catch {
    /* missing or unreadable: 0 passed, 1 failed */
  }
  return { passed, failed };
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!COMMANDS[command]) fail(`usage: node scripts/bootstrap.mjs <${Object.keys(COMMANDS).join("|")}> [args...]`);

  ensureDependencies();

  const env = { ...process.env };
  if (!process.env.TEMPORAL_ADDRESS) {
    const temporal = await ensureTemporal(COMMANDS[command].temporal);
    if (temporal) env.TEMPORAL_CLI_PATH = temporal;
  }

  const mailpit = await ensureMailpit(COMMANDS[command].mailpit);
  if (mailpit) env.MAILPIT_PATH = mailpit;

  if (command === "test" || command === "bench") env.CHROMIUM_PATH = ensureChromium();
  if (command === "test") ensurePostgres();

  const tsx = bin("tsx");
  switch (command) {
    case "start":
    case "dev": {
      const migrated = await run(tsx, [path.join(root, "scripts", "migrate.ts")], env);
      if (migrated !== 0) fail("Applying database migrations failed; see above.");
      const mode = command === "dev" ? ["--dev"] : [];
      process.exit(await run(tsx, [path.join(root, "scripts", "start.ts"), ...mode, ...args], env));
    }
    case "test": {
      const jsonFile = path.join(os.tmpdir(), `loopwright-vitest-${process.pid}-${Date.now()}.json`);
      const code = await run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile=${jsonFile}`, ...args], env);
      const { passed, failed } = testCount(jsonFile, code);
      rmSync(jsonFile, { force: true });
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(code !== 0 ? code : failed > 0 ? 1 : 0);
    }
    case "bench":
      process.exit(await run(tsx, [path.join(root, "bench", "run.ts"), ...args], env));
    case "worker":
      process.exit(await run(tsx, [path.join(root, "workflows", "worker.ts"), ...args], env));
  }
}

main().catch((err) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
