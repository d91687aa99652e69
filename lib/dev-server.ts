// The embedded Temporal dev server (`temporal server start-dev`), and the namespace settings every
// Loopwright deployment needs (search attributes, retention), applied at runtime so they also
// reach a database file made before they existed.
import { Connection } from "@temporalio/client";
import proto from "@temporalio/proto";
import type Long from "long";
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import temporalConfig from "../temporal.config";
import { projectRoot } from "./paths";
import { connectionOptions, type TemporalSettings } from "./temporal";

/** `TEMPORAL_CLI_PATH`, else the project's tools cache, else `temporal` on PATH. */
export function temporalBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI_PATH) return env.TEMPORAL_CLI_PATH;
  const cached = path.join(path.resolve(projectRoot, env.LOOPWRIGHT_TOOLS_DIR || ".tools"), "bin", "temporal");
  if (existsSync(cached)) return cached;
  for (const dir of (env.PATH || "").split(path.delimiter)) {
    const candidate = path.join(dir, "temporal");
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface DevServerOptions {
  binary: string;
  /** SQLite file for the server's state; runs survive a restart. Omit for an in-memory server. */
  dbFile?: string;
  port: number;
  /** Omit for a headless server (tests). */
  uiPort?: number;
  logFile?: string;
  namespace?: string;
  /** Run it in its own process group (`npm start`: a terminal's Ctrl-C must not reach it before the worker stops). */
  detached?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  const args = ["server", "start-dev", "--ip", "127.0.0.1", "--port", String(o.port), "--namespace", o.namespace ?? temporalConfig.namespace];
  args.push("--log-level", "warn", "--dynamic-config-value", "frontend.enableServerVersionCheck=false");
  // One partition per task queue: on a single dev server, more partitions only add forwarding hops.
  args.push("--dynamic-config-value", "matching.numTaskqueueReadPartitions=1", "--dynamic-config-value", "matching.numTaskqueueWritePartitions=1");
  args.push("--dynamic-config-value", "system.enableActivityEagerExecution=true");
  if (o.dbFile) {
    // The server's state is for this machine's operator only (it holds every run's inputs).
    mkdirSync(path.dirname(o.dbFile), { recursive: true, mode: 0o700 });
    args.push("--db-filename", o.dbFile);
  }
  if (o.uiPort) args.push("--ui-ip", "127.0.0.1", "--ui-port", String(o.uiPort));
  else args.push("--headless");
  let stdio: Array<"ignore" | number> = ["ignore", "ignore", "ignore"];
  if (o.logFile) {
    mkdirSync(path.dirname(o.logFile), { recursive: true, mode: 0o700 });
    const fd = openSync(o.logFile, "a", 0o600);
    stdio = ["ignore", fd, fd];
  }
  const child = spawn(o.binary, args, { stdio, env: { ...process.env, TEMPORAL_DISABLE_VERSION_CHECK: "1" }, detached: o.detached ?? false });
  if (typeof stdio[1] === "number") closeSync(stdio[1]); // the child has its own copy
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const address = `127.0.0.1:${o.port}`;
  let ready: boolean;
  try {
    ready = await Promise.race([waitForServer(address, 90_000).then(() => true), exited.then(() => false)]);
  } catch (err) {
    // Not ready in time: do not leave it running behind the caller's back.
    child.kill("SIGKILL");
    throw err;
  }
  if (!ready) {
    throw new Error(`The Temporal dev server exited during start-up${o.logFile ? `; see ${o.logFile}` : ""} (command: ${o.binary} ${args.join(" ")})`);
  }
  return {
    address,
    uiUrl: o.uiPort ? `http://localhost:${o.uiPort}` : undefined,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Wait until the frontend answers a namespace lookup (the port opens before it is ready). */
export async function waitForServer(address: string, timeoutMs: number, namespace = temporalConfig.namespace): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`Temporal at ${address} did not become ready in ${timeoutMs / 1000}s: ${String(lastError)}`);
}

const { IndexedValueType } = proto.temporal.api.enums.v1;
const TYPES: Record<string, number> = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Text: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/**
 * Add the search attributes Loopwright sets on runs and raise closed-run retention to at least the
 * configured days. On an external cluster this may need admin rights: failures there are returned
 * as warnings rather than thrown.
 */
export async function ensureNamespace(s: TemporalSettings): Promise<string[]> {
  const warnings: string[] = [];
  const connection = await Connection.connect(connectionOptions(s));
  try {
    try {
      const existing = await connection.operatorService.listSearchAttributes({ namespace: s.namespace });
      const missing = Object.entries(temporalConfig.searchAttributes).filter(([name]) => !(name in (existing.customAttributes ?? {})));
      if (missing.length) {
        await connection.operatorService.addSearchAttributes({
          namespace: s.namespace,
          searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, TYPES[type]!])),
        });
      }
    } catch (err) {
      if (!s.external) throw err;
      warnings.push(`Could not add search attributes (${String(err)}); runs will start without them.`);
    }
    try {
      const wanted = temporalConfig.devServer.retentionDays * 86_400;
      const ns = await connection.workflowService.describeNamespace({ namespace: s.namespace });
      const current = Number(ns.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
      if (current < wanted) {
        await connection.workflowService.updateNamespace({
          namespace: s.namespace,
          // protobufjs takes a plain number for an int64 field; the generated type only names Long.
          config: { workflowExecutionRetentionTtl: { seconds: wanted as unknown as Long } },
        });
      }
    } catch (err) {
      if (!s.external) throw err;
      warnings.push(`Could not raise the namespace's retention (${String(err)}).`);
    }
  } finally {
    await connection.close();
  }
  return warnings;
}

/** Search attributes are usable only once the server has seen them; wait until it lists them. */
export async function searchAttributesReady(s: TemporalSettings, timeoutMs = 30_000): Promise<boolean> {
  const connection = await Connection.connect(connectionOptions(s));
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const existing = await connection.operatorService.listSearchAttributes({ namespace: s.namespace });
      if (Object.keys(temporalConfig.searchAttributes).every((n) => n in (existing.customAttributes ?? {}))) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  } finally {
    await connection.close();
  }
}
