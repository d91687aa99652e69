// The interpreter: one workflow runs every flow. It receives the frozen plan, runs each node as the
// generic runNode activity as soon as its inputs are ready (independent branches in parallel), and
// passes dataset references, never rows. Deterministic: no Node built-ins, no I/O, relative imports.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from "@temporalio/workflow";
import { NON_RETRYABLE_ERROR_TYPES } from "../nodes/sdk/errors";
import type { ValueRef } from "../nodes/sdk/types";
import type { Activities } from "./activities/run-node";
import type { NodeState, PlanNode, RunFlowInput, RunFlowResult } from "./graph/plan";

/** Per-node status of a run, for anyone holding the workflow handle. */
export const nodeStatusQuery = defineQuery<Record<string, NodeState>>("nodeStatus");

const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: "1 minute",
  retry: { maximumAttempts: 20, initialInterval: "1 second", maximumInterval: "30 seconds" },
});

function activitiesFor(node: PlanNode) {
  const a = node.activity;
  return proxyActivities<Activities>({
    startToCloseTimeout: a.startToCloseTimeout,
    heartbeatTimeout: a.heartbeatTimeout,
    retry: {
      maximumAttempts: a.maximumAttempts,
      initialInterval: a.initialInterval,
      backoffCoefficient: a.backoffCoefficient,
      maximumInterval: a.maximumInterval,
      nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
    },
  });
}

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) {
    const cause = err.cause;
    // A timeout after the last retry says little on its own; name what timed out.
    if (cause.name === "TimeoutFailure") return `Timed out (${cause.message || "no heartbeat or result in time"}) after the last retry`;
    return cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export async function runFlow(input: RunFlowInput): Promise<RunFlowResult> {
  const { plan, trigger } = input;
  // A Temporal Schedule starts runs with no id in the store: the workflow id is the run's id, and
  // the first report creates the run.
  const runId = input.runId ?? workflowInfo().workflowId;
  const states: Record<string, NodeState> = Object.fromEntries(plan.nodes.map((n) => [n.id, { status: "queued" } as NodeState]));
  setHandler(nodeStatusQuery, () => states);
  const create = input.runId ? undefined : { plan, trigger: trigger ?? { kind: "manual" as const } };
  // Not cancellable: a run cancelled before it starts must still reach its final bookkeeping.
  await CancellationScope.nonCancellable(() => bookkeeping.recordRun({ runId, status: "running", create }));

  async function runOne(node: PlanNode, upstream: boolean[]): Promise<boolean> {
    if (!upstream.every(Boolean)) {
      states[node.id] = { status: CancellationScope.current().consideredCancelled ? "cancelled" : "skipped" };
      return false;
    }
    const inputs: Record<string, ValueRef> = {};
    for (const [port, from] of Object.entries(node.inputs)) {
      const ref = states[from.node]!.outputs?.[from.port];
      if (ref) inputs[port] = ref;
    }
    states[node.id] = { status: "running" };
    try {
      const out = await activitiesFor(node).runNode({ runId, node, inputs, ...(node.kind === "trigger" ? { trigger: trigger ?? { kind: "manual" } } : {}) });
      states[node.id] = { status: "succeeded", outputs: out.outputs, metrics: out.metrics };
      return true;
    } catch (err) {
      states[node.id] = isCancellation(err) ? { status: "cancelled" } : { status: "failed", error: failureMessage(err) };
      return false;
    }
  }

  // Plan order is dependency order, so every upstream promise exists before it is awaited.
  const done = new Map<string, Promise<boolean>>();
  for (const node of plan.nodes) {
    const upstream = Object.values(node.inputs).map((i) => done.get(i.node)!);
    done.set(node.id, Promise.all(upstream).then((oks) => runOne(node, oks)));
  }
  await Promise.all(done.values());

  const settled = plan.nodes
    .filter((n) => states[n.id]!.status !== "succeeded")
    .map((n) => ({ id: n.id, status: states[n.id]!.status, error: states[n.id]!.error }));
  const failed = settled.filter((n) => n.status === "failed");

  if (CancellationScope.current().consideredCancelled) {
    await CancellationScope.nonCancellable(() => bookkeeping.recordRun({ runId, status: "cancelled", error: "Cancelled", nodes: settled }));
    throw new CancelledFailure("Run cancelled");
  }
  if (failed.length) {
    const error = failed.map((n) => `${n.id}: ${n.error}`).join("; ");
    await bookkeeping.recordRun({ runId, status: "failed", error, nodes: settled });
    throw ApplicationFailure.nonRetryable(`${failed.length} node${failed.length > 1 ? "s" : ""} failed: ${error}`, "FlowFailed", { runId, nodes: states });
  }
  await bookkeeping.recordRun({ runId, status: "succeeded", nodes: settled });
  return { runId, status: "succeeded", nodes: states };
}
