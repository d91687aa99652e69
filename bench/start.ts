// `npm run bench start [--no-cold]`: how long `npm start` takes until it is usable (the web app
// answers 200 on / and the worker polls the task queue), cold (no .next build: `next build` first)
// and warm (the build kept), and how long the first load of the flows list and the editor takes
// under `next dev` (`npm run dev`) versus the production build (`npm start`).
//
// Everything runs in a copy of the project in a temp folder (node_modules hard-linked), with its
// own data directory and free ports, so neither the project's .next nor a running `npm start` is
// touched. `--no-cold` copies the project's .next instead of building (used when it is current).
// Prints figures; asserts nothing about time.
import { Connection } from "@temporalio/client";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, temporalBinary } from "../lib/dev-server";
import { projectRoot } from "../lib/paths";
import { taskQueuePollers, temporalSettings } from "../lib/temporal";
import { readBuildRecord } from "../lib/web-build";
import { fmt } from "./stats";
import { benchAdmin, signInCookie } from "./bench-account";

const SKIP = new Set(["node_modules", ".next", ".loopwright", ".tools", ".git", "test-results", "test-artifacts"]);
const READY_TIMEOUT_MS = 20 * 60_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A copy of the project to start from scratch; node_modules hard-linked (fast, same bytes). */
function copyProject(into: string): void {
  for (const entry of readdirSync(projectRoot)) {
    if (SKIP.has(entry)) continue;
    cpSync(path.join(projectRoot, entry), path.join(into, entry), { recursive: true, preserveTimestamps: true });
  }
  const linked = spawnSync("cp", ["-al", path.join(projectRoot, "node_modules"), path.join(into, "node_modules")], { stdio: "inherit" });
  if (linked.status !== 0) symlinkSync(path.join(projectRoot, "node_modules"), path.join(into, "node_modules"), "dir");
}

interface Instance {
  proc: ChildProcess;
  webUrl: string;
  logFile: string;
  /** ms from spawn until GET / answered 200, until a worker polled, and until both. */
  webMs: number;
  workerMs: number;
  readyMs: number;
  stop(): Promise<number>;
}

async function workerPolling(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1_000 });
    const s = temporalSettings({ ...process.env, TEMPORAL_ADDRESS: address });
    const [wf, act] = await Promise.all([taskQueuePollers(connection, s, "workflow"), taskQueuePollers(connection, s, "activity")]);
    return wf.length > 0 && act.length > 0;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** `node scripts/bootstrap.mjs start|dev` in the copy, as `npm start|run dev` runs it; resolves once usable. */
async function launch(root: string, command: "start" | "dev", dataDir: string, label: string): Promise<Instance> {
  const [webPort, grpcPort, uiPort, ingestPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const logFile = path.join(dataDir, `${label}.log`);
  mkdirSync(dataDir, { recursive: true });
  const log = createWriteStream(logFile);
  const env = {
    ...process.env,
    PORT: String(webPort),
    LOOPWRIGHT_TEMPORAL_PORT: String(grpcPort),
    LOOPWRIGHT_TEMPORAL_UI_PORT: String(uiPort),
    LOOPWRIGHT_INGEST_PORT: String(ingestPort),
    LOOPWRIGHT_DATA_DIR: dataDir,
    TEMPORAL_CLI_PATH: temporalBinary() ?? "",
    NO_COLOR: "1",
  };
  delete (env as NodeJS.ProcessEnv).TEMPORAL_ADDRESS;
  const t0 = performance.now();
  const proc = spawn(process.execPath, [path.join(root, "scripts", "bootstrap.mjs"), command], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  proc.stdout!.pipe(log, { end: false });
  proc.stderr!.pipe(log, { end: false });
  const exited = new Promise<number>((resolve) => proc.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  const webUrl = `http://localhost:${webPort}`;
  let webMs: number | undefined;
  let workerMs: number | undefined;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (webMs === undefined || workerMs === undefined) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      if (proc.exitCode === null) await interrupt(proc, exited);
      throw new Error(`${label}: npm ${command} ${proc.exitCode !== null ? `exited (${proc.exitCode})` : "was not ready in time"}; its output: ${logFile}\n${readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n")}`);
    }
    const checks: Promise<void>[] = [];
    if (webMs === undefined)
      checks.push(
        fetch(webUrl, { signal: AbortSignal.timeout(120_000) })
          .then(async (res) => {
            await res.arrayBuffer();
            if (res.status === 200) webMs = performance.now() - t0;
          })
          .catch(() => undefined),
      );
    if (workerMs === undefined) checks.push(workerPolling(`127.0.0.1:${grpcPort}`).then((ok) => void (ok && (workerMs = performance.now() - t0))));
    await Promise.all(checks);
    if (webMs === undefined || workerMs === undefined) await sleep(250);
  }
  return {
    proc,
    webUrl,
    logFile,
    webMs,
    workerMs,
    readyMs: Math.max(webMs, workerMs),
    async stop() {
      const s0 = performance.now();
      await interrupt(proc, exited);
      log.end();
      return performance.now() - s0;
    },
  };
}

/** Ctrl-C: the bootstrap passes it on to start.ts, which stops the web app, worker, Temporal. */
async function interrupt(proc: ChildProcess, exited: Promise<number>): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  process.kill(proc.pid!, "SIGINT");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
  await exited;
  clearTimeout(timer);
}

interface Load {
  ttfbMs: number;
  fullMs: number;
  bytes: number;
  status: number;
}

async function load(url: string, cookie: string): Promise<Load> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(300_000), headers: { cookie } });
  const ttfbMs = performance.now() - t0;
  const body = await res.text();
  return { ttfbMs, fullMs: performance.now() - t0, bytes: Buffer.byteLength(body), status: res.status };
}

async function createFlow(webUrl: string, cookie: string): Promise<string> {
  const res = await fetch(`${webUrl}/api/trpc/flow.create`, { method: "POST", headers: { "content-type": "application/json", origin: webUrl, cookie }, body: JSON.stringify({ json: { name: "Bench" } }) });
  if (!res.ok) throw new Error(`flow.create answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { result: { data: { json: { flowId: string } } } };
  return body.result.data.json.flowId;
}

/** The first and second load of each page, in this order. */
async function pageLoads(webUrl: string, flowId: string, cookie: string): Promise<Record<string, { first: Load; second: Load }>> {
  const out: Record<string, { first: Load; second: Load }> = {};
  for (const [name, p] of [
    ["/flows", "/flows"],
    ["/flows/<id> (editor)", `/flows/${flowId}`],
  ] as const) {
    const first = await load(webUrl + p, cookie);
    const second = await load(webUrl + p, cookie);
    if (first.status !== 200 || second.status !== 200) throw new Error(`GET ${p} answered ${first.status}/${second.status}`);
    out[name] = { first, second };
  }
  return out;
}

const s = (ms: number) => `${fmt(ms / 1000)} s`;
const msf = (ms: number) => `${fmt(ms, 0)} ms`;
const pad = (t: string, n: number) => t.padEnd(n);
const lpad = (t: string, n: number) => t.padStart(n);

export async function startBench(o: { cold?: boolean } = {}): Promise<void> {
  const cold = o.cold ?? true;
  if (!temporalBinary()) throw new Error("No Temporal CLI: run through `npm run bench`, which installs it");
  const base = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-start-"));
  const root = path.join(base, "project");
  mkdirSync(root);
  console.log(`\nStart: copying the project to ${root} (node_modules hard-linked)...`);
  copyProject(root);
  if (!cold && existsSync(path.join(projectRoot, ".next", "BUILD_ID"))) cpSync(path.join(projectRoot, ".next"), path.join(root, ".next"), { recursive: true, preserveTimestamps: true });

  const starts: Array<{ label: string; i: Instance; stopMs: number; note?: string }> = [];
  const live = new Set<Instance>();
  const run = async (command: "start" | "dev", data: string, label: string) => {
    const i = await launch(root, command, data, label);
    live.add(i);
    return i;
  };
  const stop = async (i: Instance) => {
    live.delete(i);
    return i.stop();
  };
  let keep = false;
  try {
    if (cold) {
      rmSync(path.join(root, ".next"), { recursive: true, force: true });
      console.log("Start: cold `npm start` (no .next: next build, then next start); a few minutes...");
      const i = await run("start", path.join(base, "data-cold"), "cold");
      const built = readBuildRecord(root);
      const stopMs = await stop(i);
      starts.push({ label: "cold: no build yet (next build + next start)", i, stopMs, note: built ? `next build ${s(built.durationMs)}` : undefined });
    }

    console.log("Start: warm `npm start` (build kept)...");
    const buildBefore = readBuildRecord(root)?.buildId;
    const warm = await run("start", path.join(base, "data"), "warm");
    const rebuilt = readBuildRecord(root)?.buildId !== buildBefore;
    const account = await benchAdmin(path.join(base, "data"));
    const warmCookie = await signInCookie(warm.webUrl, account);
    const flowId = await createFlow(warm.webUrl, warmCookie);
    const prod = await pageLoads(warm.webUrl, flowId, warmCookie);
    starts.push({ label: "warm: build kept (next start)", i: warm, stopMs: await stop(warm), note: rebuilt ? "rebuilt: no current build" : undefined });

    console.log("Start: `npm run dev` (next dev)...");
    const dev = await run("dev", path.join(base, "data"), "dev");
    const devLoads = await pageLoads(dev.webUrl, flowId, await signInCookie(dev.webUrl, account));
    starts.push({ label: "npm run dev (next dev, no build)", i: dev, stopMs: await stop(dev) });

    console.log(`\nStart: until usable (GET / answers 200 and the worker polls), fresh data directory, ${os.cpus().length} CPUs; Ctrl-C: until every process stopped`);
    console.log(`  ${pad("", 46)}${lpad("usable", 10)}${lpad("web 200", 10)}${lpad("worker", 10)}${lpad("Ctrl-C", 10)}`);
    for (const r of starts) console.log(`  ${pad(r.label, 46)}${lpad(s(r.i.readyMs), 10)}${lpad(s(r.i.webMs), 10)}${lpad(s(r.i.workerMs), 10)}${lpad(s(r.stopMs), 10)}${r.note ? `   ${r.note}` : ""}`);

    console.log("\nFirst load of a page right after start (time to first byte / full HTML); second load for comparison");
    console.log(`  ${pad("", 30)}${lpad("next dev", 22)}${lpad("next start", 22)}${lpad("dev/start", 11)}`);
    for (const page of Object.keys(prod)) {
      const d = devLoads[page]!;
      const p = prod[page]!;
      console.log(`  ${pad(`${page}, first`, 30)}${lpad(`${msf(d.first.ttfbMs)} / ${msf(d.first.fullMs)}`, 22)}${lpad(`${msf(p.first.ttfbMs)} / ${msf(p.first.fullMs)}`, 22)}${lpad(`${fmt(d.first.fullMs / p.first.fullMs)}x`, 11)}`);
      console.log(`  ${pad(`${page}, second`, 30)}${lpad(`${msf(d.second.ttfbMs)} / ${msf(d.second.fullMs)}`, 22)}${lpad(`${msf(p.second.ttfbMs)} / ${msf(p.second.fullMs)}`, 22)}${lpad(`${fmt(d.second.fullMs / p.second.fullMs)}x`, 11)}`);
    }
    console.log(`  HTML size: ${Object.entries(prod).map(([k, v]) => `${k} ${fmt(v.first.bytes / 1024)} KiB (dev ${fmt(devLoads[k]!.first.bytes / 1024)} KiB)`).join(", ")}`);
  } catch (err) {
    keep = true;
    await Promise.all([...live].map((i) => i.stop().catch(() => undefined)));
    console.error(`Start bench failed; its folder is kept: ${base}`);
    throw err;
  } finally {
    if (!keep && !process.env.LOOPWRIGHT_KEEP_BENCH) rmSync(base, { recursive: true, force: true });
  }
}
