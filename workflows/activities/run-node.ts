// The one generic activity (runNode) and the small bookkeeping activities that write run and
// node status into SQLite, so pages never read Temporal history.
import { ApplicationFailure, Context } from "@temporalio/activity";
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { nodeRuns, runs } from "../../db/schema";
import { isNodeError } from "../../nodes/sdk/errors";
import type { NodeRegistry } from "../../nodes/node-registry";
import type { DatasetRef, ValueRef } from "../../nodes/sdk/types";
import type { NodeStatus, RunNodeInput, RunNodeOutput, RunStatus } from "../graph/plan";
import { consoleLogger, createNodeContext } from "./context";
import { executeNode } from "./execute-node";

export interface ActivityDeps {
  db: Db;
  dataDir: string;
  registry: NodeRegistry;
}

export interface RecordRunInput {
  runId: string;
  status: RunStatus;
  error?: string;
  /** Terminal states the workflow decided (failed after retries, skipped, cancelled). */
  nodes?: Array<{ id: string; status: NodeStatus; error?: string }>;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createActivities({ db, dataDir, registry }: ActivityDeps) {
  const setNode = (runId: string, nodeId: string, values: Partial<typeof nodeRuns.$inferInsert>) =>
    db.update(nodeRuns).set(values).where(and(eq(nodeRuns.runId, runId), eq(nodeRuns.nodeId, nodeId))).run();

  return {
    async runNode({ runId, node, inputs }: RunNodeInput): Promise<RunNodeOutput> {
      const activity = Context.current();
      const attempt = activity.info.attempt;
      const def = registry.get(node.type, node.version);
      if (!def) throw ApplicationFailure.nonRetryable(`This worker has no node ${node.type}@${node.version}`, "ConfigError");

      setNode(runId, node.id, { status: "running", attempt, startedAt: Date.now(), finishedAt: null, error: null });
      let lastProgressWrite = 0;
      // Nodes that never report progress still need a heartbeat, or a long step would look dead.
      const keepAlive = setInterval(() => activity.heartbeat(), 5_000);
      const ctx = createNodeContext({
        dataDir,
        db,
        runId,
        nodeId: node.id,
        attempt,
        signal: activity.cancellationSignal,
        log: consoleLogger(`${runId}/${node.id}`),
        onProgress: (report) => {
          activity.heartbeat(report);
          const now = Date.now();
          if (now - lastProgressWrite > 1_000) {
            lastProgressWrite = now;
            setNode(runId, node.id, { progress: report });
          }
        },
      });
      try {
        const result = await executeNode(def, node.config, inputs, ctx);
        const outputs = result.outputs as Record<string, ValueRef>;
        const table = Object.values(outputs).find((r): r is DatasetRef => r.kind === "table");
        const rows = table ? table.rows : null;
        const metrics = result.metrics ?? {};
        setNode(runId, node.id, { status: "succeeded", finishedAt: Date.now(), rows, metrics, outputs, error: null, progress: null });
        return { outputs, metrics, rows };
      } catch (err) {
        if (activity.cancellationSignal.aborted) {
          // The node saw the cancel and stopped: say so, in case the workflow already closed.
          setNode(runId, node.id, { status: "cancelled", finishedAt: Date.now(), progress: null });
          throw err;
        }
        const message = errorText(err);
        const retryable = isNodeError(err) ? err.retryable : true;
        const finalAttempt = !retryable || attempt >= node.activity.maximumAttempts;
        setNode(runId, node.id, {
          status: finalAttempt ? "failed" : "running",
          finishedAt: finalAttempt ? Date.now() : null,
          error: finalAttempt ? message : `Attempt ${attempt} failed, retrying: ${message}`,
        });
        const type = err instanceof Error ? err.name : "Error";
        const details = isNodeError(err) && err.where ? [{ where: err.where }] : [];
        if (!retryable) throw ApplicationFailure.create({ message, type, nonRetryable: true, details });
        throw ApplicationFailure.create({ message, type, nonRetryable: false, cause: err instanceof Error ? err : undefined });
      } finally {
        clearInterval(keepAlive);
      }
    },

    async recordRun({ runId, status, error, nodes }: RecordRunInput): Promise<void> {
      const now = Date.now();
      db.transaction((tx) => {
        const terminal = status !== "running" && status !== "queued";
        tx.update(runs)
          .set({
            status,
            error: error ?? null,
            ...(status === "running" ? { startedAt: now } : {}),
            ...(terminal ? { finishedAt: now } : {}),
          })
          .where(eq(runs.id, runId))
          .run();
        for (const n of nodes ?? []) {
          tx.update(nodeRuns)
            .set({ status: n.status, error: n.error ?? null, finishedAt: now, progress: null })
            .where(and(eq(nodeRuns.runId, runId), eq(nodeRuns.nodeId, n.id)))
            .run();
        }
        if (terminal) {
          // Anything still queued or running when the run ends did not finish.
          tx.update(nodeRuns)
            .set({ status: status === "cancelled" ? "cancelled" : "skipped", finishedAt: now })
            .where(and(eq(nodeRuns.runId, runId), inArray(nodeRuns.status, ["queued", "running"])))
            .run();
        }
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
