// Node tests run a node the way the worker does (same context, same config parsing), against a
// real control-plane store (a SQLite file) and real DuckDB in a fresh temporary data directory.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { connections, type Store } from "../db/store";
import { openSqliteStore } from "../db/store/handle";
import { projectRoot } from "../lib/paths";
import { encryptionKey } from "../lib/secret-box";
import type { ConnectionKind } from "../nodes/sdk/connections";
import type { NodeContext, NodeDefinition, NodeResult, ValueRef } from "../nodes/sdk/types";
import { checkConnection, parseSecrets, sealSecrets } from "../server/services/connection-kinds";
import { createNodeContext, type ContextOptions } from "../workflows/activities/context";
import { executeNode } from "../workflows/activities/execute-node";

const SHARED_DATASETS = process.env.LOOPWRIGHT_SHARED_DATASETS || path.resolve(projectRoot, "..", "shared", "datasets");

/** A public dataset: the copy in examples/data when the project ships one, else ../shared/datasets. */
export function datasetFile(name: string): string {
  const inRepo = path.join(projectRoot, "examples", "data", name);
  return existsSync(inRepo) ? inRepo : path.join(SHARED_DATASETS, name);
}

export interface Harness {
  dataDir: string;
  store: Store;
  ctx(nodeId: string, opts?: { runId?: string; flowId?: string; attempt?: number; signal?: AbortSignal; onProgress?: ContextOptions["onProgress"] }): NodeContext;
  run(def: NodeDefinition, config: unknown, inputs?: Record<string, ValueRef>, ctx?: NodeContext): Promise<NodeResult>;
  /**
   * Adds a connection nodes can use by name, checked and sealed as the app does it (the key file
   * in this data directory, unless LOOPWRIGHT_ENCRYPTION_KEY is set). Returns its id.
   */
  connection(c: { name: string; kind: ConnectionKind; config?: Record<string, unknown>; secrets?: Record<string, string>; hosts?: string[]; plainHttpHosts?: string[] }): Promise<string>;
  close(): Promise<void>;
}

export function harness(): Harness {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "loopwright-test-"));
  const store = openSqliteStore(path.join(dataDir, "loopwright.sqlite"));
  const silent = { info() {}, warn() {}, error() {} };
  const ctx: Harness["ctx"] = (nodeId, opts = {}) =>
    createNodeContext({ dataDir, sharedDir: dataDir, store, runId: opts.runId ?? "test-run", flowId: opts.flowId, nodeId, attempt: opts.attempt, signal: opts.signal, onProgress: opts.onProgress, log: silent });
  return {
    dataDir,
    store,
    ctx,
    run: (def, config, inputs = {}, c) => executeNode(def, config, inputs, c ?? ctx(def.type)),
    async connection(c) {
      const secrets = parseSecrets(c.kind, c.secrets);
      const checked = checkConnection(c.kind, c.config ?? {}, secrets, c.hosts, c.plainHttpHosts);
      const key = encryptionKey(process.env, { dataDir }).key;
      return (await connections.create(store, { name: c.name, kind: c.kind, ...checked, secret: sealSecrets(secrets, key) })).id;
    },
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function failure(p: Promise<unknown>): Promise<Error & { where?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the node to fail");
}
