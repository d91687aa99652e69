// Builds the `ctx` a node's run() receives. Used by the runNode activity and by node tests, so
// tests exercise the same context the worker gives.
import { eq } from "drizzle-orm";
import path from "node:path";
import type { Db } from "../../db/client";
import { ParquetDatasetStore } from "../../db/dataset-store";
import { SqliteModelRegistry } from "../../db/model-registry";
import { fileRoots, isInside, projectRoot, realOrResolved } from "../../lib/paths";
import { ConfigError, NotFoundError } from "../../nodes/sdk/errors";
import type { Logger, NodeContext } from "../../nodes/sdk/types";
import { files } from "../../db/schema";

export interface ContextOptions {
  dataDir: string;
  db: Db;
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
  return {
    runId: o.runId,
    nodeId: o.nodeId,
    attempt: o.attempt ?? 1,
    idempotencyKey: `${o.runId}:${o.nodeId}`,
    signal: o.signal ?? new AbortController().signal,
    log: o.log ?? consoleLogger(`${o.runId}/${o.nodeId}`),
    progress: (fraction, message, details) => o.onProgress?.({ fraction, message, details }),
    datasets: new ParquetDatasetStore(o.dataDir, o.db, owner),
    models: new SqliteModelRegistry(o.db, owner),
    resolvePath: (p) => {
      const file = realOrResolved(path.resolve(projectRoot, p));
      // Hidden files and folders (.env, .git) stay out of reach even inside a root.
      const visible = (root: string) => !path.relative(root, file).split(path.sep).some((part) => part.startsWith("."));
      if (!fileRoots(o.dataDir).some((root) => isInside(file, root) && visible(root))) {
        throw new ConfigError(`"${p}" is outside the folders flows may use (the project and data directories, without hidden files; an admin can add more with LOOPWRIGHT_FILE_ROOTS)`);
      }
      return file;
    },
    resolveUpload: (fileId) => {
      const row = o.db.select({ path: files.path }).from(files).where(eq(files.id, fileId)).get();
      if (!row) throw new NotFoundError(`No uploaded file with id "${fileId}"`, { where: "fileId" });
      return path.resolve(o.dataDir, row.path);
    },
  };
}
