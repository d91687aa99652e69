// The one generic activity (runNode) and the small bookkeeping activity that writes run and node
// status into the control-plane store, so pages never read Temporal history.
import { ApplicationFailure, Context } from "@temporalio/activity";
import { runs, type Store } from "../../db/store";
import type { NodeRunUpdate, RunReport } from "../../db/store/runs";
import { isNodeError } from "../../nodes/sdk/errors";
import type { NodeRegistry } from "../../nodes/node-registry";
import type { DatasetRef, ValueRef } from "../../nodes/sdk/types";
import type { RunNodeInput, RunNodeOutput } from "../graph/plan";
import { consoleLogger, createNodeContext } from "./context";
import { executeNode } from "./execute-node";

export interface ActivityDeps {
  store: Store;
  /** This worker's own data directory (scratch files). */
  dataDir: string;
  /** The folder every process shares (datasets, uploads, model artifacts). */
  sharedDir: string;
  registry: NodeRegistry;
  /** The worker's Temporal identity, recorded with each node it runs. */
  identity: string;
}

export type RecordRunInput = RunReport;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createActivities({ store, dataDir, sharedDir, registry, identity }: ActivityDeps) {
  const setNode = (runId: string, nodeId: string, values: NodeRunUpdate) => runs.updateNode(store, runId, nodeId, values);

  return {
    async runNode({ runId, node, inputs }: RunNodeInput): Promise<RunNodeOutput> {
      const activity = Context.current();
      const attempt = activity.info.attempt;
      const def = registry.get(node.type, node.version);
      if (!def) throw ApplicationFailure.nonRetryable(`This worker has no node ${node.type}@${node.version}`, "ConfigError");

      await setNode(runId, node.id, { status: "running", attempt, worker: identity, startedAt: Date.now(), finishedAt: null, error: null });
      let lastProgressWrite = 0;
      // Nodes that never report progress still need a heartbeat, or a long step would look dead.
      const keepAlive = setInterval(() => activity.heartbeat(), 5_000);
      const ctx = createNodeContext({
        dataDir,
        sharedDir,
        store,
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
            // Progress is a courtesy: a failed write must not fail the node.
            setNode(runId, node.id, { progress: report }).catch((err: unknown) => console.warn(`progress of ${runId}/${node.id} not recorded: ${errorText(err)}`));
          }
        },
      });
      try {
        const result = await executeNode(def, node.config, inputs, ctx);
        const outputs = result.outputs as Record<string, ValueRef>;
        const table = Object.values(outputs).find((r): r is DatasetRef => r.kind === "table");
        const rows = table ? table.rows : null;
        const metrics = result.metrics ?? {};
        await setNode(runId, node.id, { status: "succeeded", finishedAt: Date.now(), rows, metrics, outputs, error: null, progress: null });
        return { outputs, metrics, rows };
      } catch (err) {
        if (activity.cancellationSignal.aborted) {
          // The node saw the cancel and stopped: say so, in case the workflow already closed.
          await setNode(runId, node.id, { status: "cancelled", finishedAt: Date.now(), progress: null });
          throw err;
        }
        const message = errorText(err);
        const retryable = isNodeError(err) ? err.retryable : true;
        const finalAttempt = !retryable || attempt >= node.activity.maximumAttempts;
        await setNode(runId, node.id, {
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

    async recordRun(report: RecordRunInput): Promise<void> {
      await runs.report(store, report);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
