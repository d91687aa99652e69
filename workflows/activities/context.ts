// Builds the `ctx` a node's run() receives. Used by the runNode activity and by node tests, so
// tests exercise the same context the worker gives.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { ParquetDatasetStore } from "../../db/dataset-store";
import { StoreModelRegistry } from "../../db/model-registry";
import { files, type Store } from "../../db/store";
import { isAppError } from "../../lib/errors";
import { guardedFetch } from "../../lib/http-guard";
import { fileRoots, internalPaths, isInside, projectRoot, realOrResolved } from "../../lib/paths";
import { ConfigError, NotFoundError } from "../../nodes/sdk/errors";
import type { Logger, NodeContext } from "../../nodes/sdk/types";

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

export function createNodeContext(o: ContextOptions): NodeContext {
  const owner = { runId: o.runId, nodeId: o.nodeId };
  const scratch = path.join(o.dataDir, "tmp");
  return {
    runId: o.runId,
    nodeId: o.nodeId,
    attempt: o.attempt ?? 1,
    idempotencyKey: `${o.runId}:${o.nodeId}`,
    signal: o.signal ?? new AbortController().signal,
    log: o.log ?? consoleLogger(`${o.runId}/${o.nodeId}`),
    progress: (fraction, message, details) => o.onProgress?.({ fraction, message, details }),
    datasets: new ParquetDatasetStore(o.sharedDir, o.store, owner),
    models: new StoreModelRegistry(o.store, o.sharedDir, owner),
    resolvePath: (p) => {
      const file = realOrResolved(path.resolve(projectRoot, p));
      // Hidden files and folders (.env, .git) stay out of reach even inside a root.
      const visible = (root: string) => !path.relative(root, file).split(path.sep).some((part) => part.startsWith("."));
      if (!fileRoots(o.dataDir).some((root) => isInside(file, root) && visible(root))) {
        throw new ConfigError(`"${p}" is outside the folders flows may use (the project and data directories, without hidden files; an admin can add more with LOOPWRIGHT_FILE_ROOTS)`);
      }
      if (internalPaths(o.dataDir, o.sharedDir).some((own) => isInside(file, own))) {
        throw new ConfigError(`"${p}" is part of Loopwright's own data (its database, logs, scratch files, datasets, uploads or models), which flows may not read or write by path; use an uploaded file instead`);
      }
      return file;
    },
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
    scratchFile: (extension = "") => {
      mkdirSync(scratch, { recursive: true, mode: 0o700 });
      return path.join(scratch, `${o.nodeId.replace(/[^A-Za-z0-9_-]/g, "_")}-${randomUUID()}${extension}`);
    },
    fetch: (url, init) => guardedFetch(url, { ...init, signal: init?.signal ?? o.signal }),
  };
}
