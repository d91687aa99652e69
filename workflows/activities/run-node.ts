// The one generic activity (runNode) and the small bookkeeping activity that writes run and node
// status into the control-plane store, so pages never read Temporal history.
import { ApplicationFailure, Context } from "@temporalio/activity";
import { flows, runs, type Store } from "../../db/store";
import type { NodeRunUpdate, RunReport } from "../../db/store/runs";
import { isNodeError } from "../../nodes/sdk/errors";
import type { NodeRegistry } from "../../nodes/node-registry";
import type { DatasetRef, ValueRef } from "../../nodes/sdk/types";
import type { Plan, RunNodeInput, RunNodeOutput, RunTrigger } from "../graph/plan";
import { consoleLogger, createNodeContext } from "./context";
import { executeNode } from "./execute-node";
import { sampleOutputs, samples } from "./sample";

export interface ActivityDeps {
  store: Store;
  /** This worker's own data directory (scratch files). */
  dataDir: string;
  /** The folder every process shares (datasets, uploads, model artifacts). */
  sharedDir: string;
  registry: NodeRegistry;
  /** The worker's Temporal identity, recorded with each node it runs. */
  identity: string;
  /** The Temporal UI link of a workflow, stored with runs this worker creates (scheduled runs). */
  temporalUrl?: (workflowId: string) => string;
}

export interface RecordRunInput extends RunReport {
  /** A run started by a Temporal Schedule: created by its first report (a second one finds it there). */
  create?: { plan: Plan; trigger: RunTrigger };
}

/** The run row for a run no caller created: a scheduled one, whose id is its workflow id. */
async function createScheduledRun(store: Store, runId: string, { plan, trigger }: NonNullable<RecordRunInput["create"]>, temporalUrl: (workflowId: string) => string) {
  const { versionId } = await flows.get(store, plan.flowId, plan.flowVersion);
  const scheduledAt = trigger.scheduledAt ?? scheduledTime(runId);
  await runs.create(store, {
    runId,
    flowId: plan.flowId,
    flowVersionId: versionId,
    flowVersion: plan.flowVersion,
    triggerKind: trigger.kind,
    trigger: { ...trigger, ...(scheduledAt ? { scheduledAt } : {}) },
    workflowId: runId,
    temporalUrl: temporalUrl(runId),
    nodes: plan.nodes.map((n) => ({ id: n.id, type: `${n.type}@${n.version}` })),
  });
}

/** A Temporal Schedule names its workflows `<schedule id>-<the time it was due, ISO 8601>`. */
function scheduledTime(workflowId: string): number | undefined {
  const m = /-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)$/.exec(workflowId);
  return m ? Date.parse(m[1]!) : undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createActivities({ store, dataDir, sharedDir, registry, identity, temporalUrl = () => "" }: ActivityDeps) {
  const setNode = (runId: string, nodeId: string, values: NodeRunUpdate) => runs.updateNode(store, runId, nodeId, values);

  return {
    async runNode({ runId, node, inputs, trigger, phase, sample }: RunNodeInput): Promise<RunNodeOutput> {
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
        trigger,
        journey: { phase },
        sample,
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
        let outputs = result.outputs as Record<string, ValueRef>;
        let metrics = result.metrics ?? {};
        if (sample && samples(node.kind)) {
          // A sample run: where rows come in, they are cut to the sample, whatever the node.
          const cut = await sampleOutputs(ctx.datasets, outputs, sample);
          outputs = cut.outputs;
          if (Object.keys(cut.before).length) metrics = { ...metrics, rowsBeforeSample: Object.values(cut.before)[0]! };
        }
        const table = Object.values(outputs).find((r): r is DatasetRef => r.kind === "table");
        const rows = table ? table.rows : null;
        // A journey step holding its customers waits (the workflow records how it ended); a later phase adds to what it did.
        const holding = result.hold !== undefined || phase !== undefined;
        // A later phase (a part released) leaves the step's row as the hold wrote it: its metrics keep the schedule the live counts read.
        await setNode(runId, node.id, phase ? { status: "waiting", finishedAt: null, error: null, progress: null } : { status: holding ? "waiting" : "succeeded", finishedAt: holding ? null : Date.now(), rows, metrics, outputs, error: null, progress: null });
        return { outputs, metrics, rows, ...(result.hold ? { hold: result.hold } : {}), ...(result.defer?.length ? { defer: result.defer } : {}) };
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

    async recordRun({ create, ...report }: RecordRunInput): Promise<void> {
      if (create) await createScheduledRun(store, report.runId, create, temporalUrl);
      await runs.report(store, report);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
