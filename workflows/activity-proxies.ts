// The interpreter's activity handles and the small graph helper its workflows share. Workflow code:
// deterministic, relative imports only.
import { patched, proxyActivities, proxyLocalActivities } from "@temporalio/workflow";
import { NON_RETRYABLE_ERROR_TYPES } from "../nodes/sdk/errors";
import type { Activities } from "./activities/run-node";
import type { Plan, PlanNode } from "./graph/plan";

const BOOKKEEPING = {
  startToCloseTimeout: "1 minute",
  retry: { maximumAttempts: 20, initialInterval: "1 second", maximumInterval: "30 seconds" },
} as const;
const remoteBookkeeping = proxyActivities<Activities>(BOOKKEEPING);
const localBookkeeping = proxyLocalActivities<Activities>(BOOKKEEPING);

/**
 * Writes the run's status to the store. A local activity: a quick write the worker does beside the
 * workflow, with no activity task through the Temporal server (two of an event-triggered run's four
 * activities; the server's CPU per 1,000 events at 500 events/s fell from 0.35 to 0.27 s). Runs
 * started before this change go on with a regular activity (`patched`), so their histories replay as
 * they were written.
 */
export function recordRun(input: Parameters<Activities["recordRun"]>[0]): Promise<void> {
  return (patched("record-run-local") ? localBookkeeping : remoteBookkeeping).recordRun(input);
}

/** runNode with the node's own timeouts and retry policy. */
export function activitiesFor(node: PlanNode) {
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

/** The nodes downstream of `from` (not itself); with `ports`, only through those of its outputs. */
export function downstreamOf(plan: Plan, from: string, ports?: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const n of plan.nodes) {
    if (Object.values(n.inputs).some((i) => (i.node === from && (!ports || ports.includes(i.port))) || out.has(i.node))) out.add(n.id);
  }
  return out;
}
