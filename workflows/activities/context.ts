// Builds the `ctx` a node's run() receives. Used by the runNode activity and by node tests, so
// tests exercise the same context the worker gives.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { ParquetDatasetStore } from "../../db/dataset-store";
import { StoreModelRegistry } from "../../db/model-registry";
import { audit, connections, files, ledger, profiles, runs, type Store } from "../../db/store";
import { isAppError } from "../../lib/errors";
import { guardedFetch } from "../../lib/http-guard";
import { resolveFlowPath } from "../../lib/flow-paths";
import { DIR_MODE, internalPaths, isInside, realOrResolved } from "../../lib/paths";
import { encryptionKey } from "../../lib/secret-box";
import { publicBaseUrl, unsubscribeKey, unsubscribeToken, unsubscribeUrl } from "../../lib/unsubscribe-links";
import type { ConnectionKind, ConnectionLookup, ConnectionOf } from "../../nodes/sdk/connections";
import { ConfigError, NotFoundError } from "../../nodes/sdk/errors";
import type { Logger, NodeContext, RunTrigger } from "../../nodes/sdk/types";
import { openSecrets } from "../../server/services/connection-kinds";
import { resolveConnection } from "../../server/services/connection-use";
import { eventsAccess } from "./events-access";
import { guardrailsAccess } from "./guardrails-access";
import { journeyAccess, type JourneyOptions } from "./journey-access";
import type { RunSample } from "../graph/plan";
import { sampleModels } from "./sample";
import { ledgerFor } from "./ledger-access";
import { triggerData } from "./trigger-data";

export interface ContextOptions {
  /** This process's own data directory: scratch files go to its tmp/. */
  dataDir: string;
  /** The folder all processes share (datasets, uploads, model artifacts). */
  sharedDir: string;
  store: Store;
  runId: string;
  nodeId: string;
  attempt?: number;
  signal?: AbortSignal;
  log?: Logger;
  /** Called with each progress report; the activity turns it into a heartbeat. */
  onProgress?: (report: { fraction: number | null; message?: string; details?: Record<string, unknown> }) => void;
  /** The flow the run belongs to, for the audit log of connection uses (looked up from the run when absent). */
  flowId?: string;
  /**
   * The key connections are sealed with. Default: LOOPWRIGHT_ENCRYPTION_KEY, else the key file in
   * `dataDir`/keys (read, never created: a worker must use the web app's key).
   */
  encryptionKey?: Buffer;
  /** What started the run; given to the flow's trigger node only (others get triggerData() = null). */
  trigger?: RunTrigger;
  /** Journey steps: the phase of this call. */
  journey?: Pick<JourneyOptions, "phase">;
  /** A sample run: models trained are saved apart (see sample.ts). */
  sample?: RunSample;
}

export function consoleLogger(prefix: string): Logger {
  const line = (level: string, message: string, fields?: Record<string, unknown>) =>
    console.log(`${level} [${prefix}] ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`);
  return {
    info: (m, f) => line("info", m, f),
    warn: (m, f) => line("warn", m, f),
    error: (m, f) => line("error", m, f),
  };
}

let unsubscribeSigningKey: Buffer | undefined;

export function createNodeContext(o: ContextOptions): NodeContext {
  const owner = { runId: o.runId, nodeId: o.nodeId };
  const scratch = path.join(o.dataDir, "tmp");
  const datasets = new ParquetDatasetStore(o.sharedDir, o.store, owner);
  // Profile ids this node has looked up (null: no profile), so ledger rows need no second lookup.
  const profileIds = new Map<string, string | null>();
  let flowId: Promise<string> | undefined;
  const scratchFile = (extension = "") => {
    mkdirSync(scratch, { recursive: true, mode: 0o700 });
    return path.join(scratch, `${o.nodeId.replace(/[^A-Za-z0-9_-]/g, "_")}-${randomUUID()}${extension}`);
  };
  const ledgerAccess = ledgerFor({ store: o.store, sharedDir: o.sharedDir, runId: o.runId, nodeId: o.nodeId, datasets, scratchFile, profileIds });
  return {
    trigger: o.trigger ?? { kind: "manual" },
    triggerData: () => (o.trigger ? triggerData({ store: o.store, datasets, scratchFile }, o.trigger) : Promise.resolve(null)),
    profiles: {
      writeTraits: (rows) => profiles.writeTraits(o.store, rows),
      traits: async (ids) => {
        const found = await profileTraits(o.store, ids);
        for (const id of ids) profileIds.set(id, found.get(id)?.profileId ?? null);
        return found;
      },
    },
    ledger: ledgerAccess,
    events: eventsAccess({ store: o.store, datasets, scratchFile }),
    guardrails: guardrailsAccess({ store: o.store, key: ledgerAccess.key, traits: (ids) => profileTraits(o.store, ids) }),
    links: {
      unsubscribe(customer, channel = "email") {
        const token = unsubscribeToken((unsubscribeSigningKey ??= unsubscribeKey(process.env, o.dataDir)), customer, channel);
        return { token, url: unsubscribeUrl(publicBaseUrl(process.env), token) };
      },
    },
    syncState: {
      load: (destination) => ledger.syncState(o.store, destination),
      save: (destination, landed, removed) => ledger.saveSyncState(o.store, destination, landed, removed),
    },
    runId: o.runId,
    flowId: () => (flowId ??= flowOfRun(o)),
    journey: journeyAccess({ store: o.store, runId: o.runId, nodeId: o.nodeId, flowId: () => (flowId ??= flowOfRun(o)), ...o.journey }),
    nodeId: o.nodeId,
    attempt: o.attempt ?? 1,
    idempotencyKey: `${o.runId}:${o.nodeId}`,
    signal: o.signal ?? new AbortController().signal,
    log: o.log ?? consoleLogger(`${o.runId}/${o.nodeId}`),
    progress: (fraction, message, details) => o.onProgress?.({ fraction, message, details }),
    datasets,
    models: o.sample ? sampleModels(new StoreModelRegistry(o.store, o.sharedDir, owner), o.sample) : new StoreModelRegistry(o.store, o.sharedDir, owner),
    resolvePath: (p) => resolveFlowPath(p, o.dataDir, o.sharedDir),
    resolveUpload: async (fileId) => {
      const row = await files.get(o.store, fileId).catch((err: unknown) => {
        // A node error, so the run says "not found" and does not retry; anything else (the store
        // unreachable) stays what it is and is retried.
        if (isAppError(err) && err.code === "NOT_FOUND") throw new NotFoundError(err.message, { where: "fileId", cause: err });
        throw err;
      });
      // The record's path must lead into the uploads folder: a record pointing anywhere else
      // (written by hand, or by a flow before flows were kept out of the database) is not followed.
      const file = realOrResolved(path.resolve(o.sharedDir, row.path));
      if (!isInside(file, realOrResolved(path.join(o.sharedDir, "uploads")))) {
        throw new NotFoundError(`Uploaded file "${fileId}" is not in the uploads folder, so it is not read`, { where: "fileId" });
      }
      return file;
    },
    scratchFile,
    fetch: (url, init) => guardedFetch(url, { ...init, signal: init?.signal ?? o.signal }),
    connection: (name, kind, lookup) => useConnection(o, name, kind, lookup),
    exportFile: (name, lookup) => {
      const field = lookup?.field ?? "file";
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(name) || name.includes("..")) {
        throw new ConfigError(`"${name}" is not a plain file name (letters, digits, . _ -, no folders); the file goes to the exports folder`, { field });
      }
      const dir = path.join(o.sharedDir, "exports");
      mkdirSync(dir, { recursive: true, mode: DIR_MODE });
      return path.join(dir, name);
    },
  };
}

/** The run's flow: as given, else from the run's row; "" when the run is not recorded (a node test). */
async function flowOfRun(o: ContextOptions): Promise<string> {
  if (o.flowId !== undefined) return o.flowId;
  try {
    return (await runs.row(o.store, o.runId)).flowId;
  } catch (err) {
    if (isAppError(err) && err.code === "NOT_FOUND") return "";
    throw err;
  }
}

/** Looks the connection up, checks its kind, decrypts it, and writes its use to the audit log. */
async function useConnection<K extends ConnectionKind>(o: ContextOptions, name: string, kind: K | readonly K[], lookup: ConnectionLookup = {}): Promise<ConnectionOf<K>> {
  const field = lookup.field ?? "connection";
  const wanted: readonly ConnectionKind[] = typeof kind === "string" ? [kind] : kind;
  const row = await connections.byName(o.store, name);
  if (!row) throw new ConfigError(`${field}: there is no connection named "${name}"; an admin creates connections on the Connections page`, { field });
  if (!wanted.includes(row.kind)) {
    throw new ConfigError(`${field}: the connection "${name}" is a ${row.kind} connection; this needs a ${wanted.join(" or ")} one`, { field });
  }
  if (row.kind === "sqlite") {
    const file = realOrResolved(String(row.config.file));
    if (internalPaths(o.dataDir, o.sharedDir).some((own) => isInside(file, own))) {
      throw new ConfigError(`${field}: the connection "${name}" points at Loopwright's own data, which flows may not read or write`, { field });
    }
  }
  let secrets = {};
  try {
    if (row.secret) secrets = openSecrets(row.secret, o.encryptionKey ?? encryptionKey(process.env, { dataDir: o.dataDir, create: false }).key);
  } catch (err) {
    // The message names key ids and variables, never a key or a secret.
    throw new ConfigError(`${field}: the connection "${name}" cannot be decrypted on this worker: ${err instanceof Error ? err.message : String(err)}`, { field, cause: err });
  }
  const resolved = resolveConnection(row, secrets, { guard: (url, init) => guardedFetch(url, { ...init, signal: init.signal ?? o.signal }), field });
  const flowId = o.flowId ?? (await runs.row(o.store, o.runId).then((r) => r.flowId, () => undefined));
  await audit.append(o.store, {
    actorId: null,
    actor: "system",
    action: "connection.use",
    target: name,
    detail: { kind: row.kind, runId: o.runId, nodeId: o.nodeId, ...(flowId ? { flowId } : {}) },
  });
  return resolved as ConnectionOf<K>;
}

async function profileTraits(store: Store, ids: readonly string[]): Promise<Map<string, { profileId: string; traits: Record<string, unknown> }>> {
  const byId = await profiles.idsFor(store, ids);
  const rows = new Map((await profiles.byIds(store, [...new Set(byId.values())])).map((p) => [p.id, p]));
  const out = new Map<string, { profileId: string; traits: Record<string, unknown> }>();
  for (const [id, profileId] of byId) {
    const p = rows.get(profileId);
    if (p) out.set(id, { profileId, traits: p.traits });
  }
  return out;
}
