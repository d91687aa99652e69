// The production build of the web app for `npm start`: `next build` once, then again only when a
// source changed. A fingerprint of the inputs (every file's path and content hash) is kept beside
// the build in .next/loopwright-build.json, with the BUILD_ID it belongs to (so a build made by
// something else, e.g. the tests, is never mistaken for ours).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

/** Folders whose files go into the web app's build (the app imports across all of them). */
export const INPUT_DIRS = ["app", "server", "trpc", "nodes", "workflows", "db", "lib", "public"];
/** Single files that change the build. Missing ones are skipped. */
export const INPUT_FILES = [
  "next.config.js",
  "next.config.mjs",
  "next.config.ts",
  "tsconfig.json",
  "package.json",
  "package-lock.json",
  "postcss.config.mjs",
  "temporal.config.ts",
  ".env",
  ".env.local",
  ".env.production",
  ".env.production.local",
];
export const BUILD_RECORD = "loopwright-build.json";

/** Files that never reach the build: tests and editor/OS litter. */
export function isBuildInput(relPath: string): boolean {
  const base = path.basename(relPath);
  if (/\.(test|spec)\.[cm]?[jt]sx?$/.test(base)) return false;
  if (base === ".DS_Store" || base.endsWith("~") || base.endsWith(".swp")) return false;
  return !relPath.split("/").some((part) => part === "node_modules" || part === "__snapshots__");
}

export interface Fingerprint {
  /** One hash over every input. */
  hash: string;
  /** Per input file (path relative to the root, "/" separated): its content hash. */
  files: Record<string, string>;
}

function hashFile(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 16);
}

function walk(root: string, rel: string, into: string[]): void {
  let entries;
  try {
    entries = readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch {
    return; // a folder that does not exist (yet), e.g. public/
  }
  for (const e of entries) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name !== "node_modules") walk(root, child, into);
    } else if (e.isFile() && isBuildInput(child)) into.push(child);
  }
}

/** Content hashes of the build's inputs under `root` (a few MB: well under a second). */
export function fingerprint(root: string, dirs = INPUT_DIRS, files = INPUT_FILES): Fingerprint {
  const paths: string[] = [];
  for (const d of dirs) walk(root, d, paths);
  for (const f of files) if (existsSync(path.join(root, f))) paths.push(f);
  paths.sort();
  const out: Record<string, string> = {};
  const all = createHash("sha256");
  for (const p of paths) {
    const h = hashFile(path.join(root, p));
    out[p] = h;
    all.update(`${p}\0${h}\n`);
  }
  return { hash: all.digest("hex"), files: out };
}

export interface BuildRecord {
  fingerprint: string;
  buildId: string;
  files: Record<string, string>;
  builtAt: string;
  durationMs: number;
}

function distDir(root: string): string {
  return path.join(root, ".next");
}

function readBuildId(root: string): string | undefined {
  try {
    return readFileSync(path.join(distDir(root), "BUILD_ID"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

export function readBuildRecord(root: string): BuildRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(path.join(distDir(root), BUILD_RECORD), "utf8")) as BuildRecord;
    return typeof r.fingerprint === "string" && typeof r.buildId === "string" ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The files added, changed or removed between two fingerprints. */
export function changedFiles(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).sort();
}

export interface BuildCheck {
  needed: boolean;
  /** Why a build is needed, for people ("no build yet", "3 files changed since the last build: ..."). */
  reason: string;
  fingerprint: Fingerprint;
  /** What the last build recorded, if there is one of ours. */
  previous?: BuildRecord;
}

export function checkBuild(root: string): BuildCheck {
  const fp = fingerprint(root);
  const buildId = readBuildId(root);
  const previous = readBuildRecord(root);
  if (!buildId) return { needed: true, reason: "there is no build yet", fingerprint: fp, previous };
  if (!previous) return { needed: true, reason: "the build in .next was not made by npm start", fingerprint: fp };
  if (previous.buildId !== buildId) return { needed: true, reason: "the build in .next was replaced by another `next build`", fingerprint: fp, previous };
  if (previous.fingerprint === fp.hash) return { needed: false, reason: "no source changed since the last build", fingerprint: fp, previous };
  const changed = changedFiles(previous.files ?? {}, fp.files);
  const list = changed.slice(0, 5).join(", ") + (changed.length > 5 ? `, and ${changed.length - 5} more` : "");
  return { needed: true, reason: `${changed.length} source file${changed.length === 1 ? "" : "s"} changed since the last build: ${list}`, fingerprint: fp, previous };
}

export class WebBuildError extends Error {
  constructor(
    message: string,
    /** The build's last output lines. */
    readonly tail: string[],
  ) {
    super(message);
  }
}

export interface EnsureBuildOptions {
  /** The builder; default `next build` with this Node. */
  command?: { cmd: string; args: string[] };
  env?: NodeJS.ProcessEnv;
  /** Our own messages. */
  log?: (line: string) => void;
  /** Each line the builder prints. */
  relay?: (line: string) => void;
  /** Aborting kills the build (its whole process group). */
  signal?: AbortSignal;
  /** How many of the builder's last lines a failure carries. */
  tailLines?: number;
  /** Said on a first build when no earlier build's duration is known. */
  firstBuildEstimate?: string;
}

export interface EnsureBuildResult {
  built: boolean;
  reason: string;
  durationMs?: number;
}

const minutes = (ms: number) => {
  const m = Math.max(1, Math.round(ms / 60_000));
  return `${m} minute${m === 1 ? "" : "s"}`;
};

/** Build the web app unless the build in .next is ours and no input changed since. */
export async function ensureWebBuild(root: string, o: EnsureBuildOptions = {}): Promise<EnsureBuildResult> {
  const log = o.log ?? ((line: string) => console.log(`[loopwright] ${line}`));
  const check = checkBuild(root);
  if (!check.needed) return { built: false, reason: check.reason };

  const estimate = check.previous?.durationMs ? `about ${minutes(check.previous.durationMs)}` : (o.firstBuildEstimate ?? "about 3 minutes on first start");
  if (!check.previous) log(`Building the web app once (next build), ${estimate}; later starts reuse it (${check.reason}).`);
  else log(`Rebuilding the web app (next build), ${estimate}: ${check.reason}.`);

  const started = Date.now();
  const command = o.command ?? { cmd: process.execPath, args: [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"] };
  const env = { ...(o.env ?? process.env), NEXT_TELEMETRY_DISABLED: (o.env ?? process.env).NEXT_TELEMETRY_DISABLED ?? "1" };
  const tail: string[] = [];
  const keep = o.tailLines ?? 30;
  const relay = o.relay ?? ((line: string) => console.log(`[web build] ${line}`));
  const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    if (o.signal?.aborted) return resolve({ code: null, signal: "SIGTERM", error: new Error("aborted") });
    const child = spawn(command.cmd, command.args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
        tail.push(line);
        if (tail.length > keep) tail.shift();
        relay(line);
      });
    }
    const abort = () => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        /* already gone */
      }
    };
    o.signal?.addEventListener("abort", abort, { once: true });
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
    child.once("close", (code, signal) => {
      o.signal?.removeEventListener("abort", abort);
      resolve({ code, signal });
    });
  });
  const durationMs = Date.now() - started;
  if (o.signal?.aborted) throw new WebBuildError("The web app build was stopped.", tail);
  if (result.error) throw new WebBuildError(`Could not run the web app build (${command.cmd}): ${result.error.message}`, tail);
  const buildId = readBuildId(root);
  if (result.code !== 0 || !buildId) {
    const how = result.signal ? `killed by ${result.signal}` : result.code !== 0 ? `exit code ${result.code}` : "it wrote no .next/BUILD_ID";
    throw new WebBuildError(`The web app build (next build) failed (${how}) after ${Math.round(durationMs / 1000)} s.`, tail);
  }
  // The fingerprint taken before the build: a file edited during the build triggers another one.
  const record: BuildRecord = { fingerprint: check.fingerprint.hash, buildId, files: check.fingerprint.files, builtAt: new Date().toISOString(), durationMs };
  writeFileSync(path.join(distDir(root), BUILD_RECORD), `${JSON.stringify(record, null, 1)}\n`);
  log(`Built the web app in ${Math.round(durationMs / 1000)} s.`);
  return { built: true, reason: check.reason, durationMs };
}
