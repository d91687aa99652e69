// What saving and running need beyond the store: checking graphs against the node registry, and
// starting the interpreter workflow. The routers (and later the triggers) come here.
import { WorkflowExecutionAlreadyStartedError, type Client } from "@temporalio/client";
import { SearchAttributeType, TypedSearchAttributes, defineSearchAttributeKey } from "@temporalio/common";
import { randomUUID } from "node:crypto";
import { flows, runs, type Store } from "../../db/store";
import type { SavedVersion } from "../../db/store/flows";
import { AppError } from "../../lib/errors";
import { workflowUrl, type TemporalSettings } from "../../lib/temporal";
import type { NodeRegistry } from "../../nodes/node-registry";
import { GraphInvalidError, compileGraph } from "../../workflows/graph/compile";
import type { Plan, RunFlowInput, RunTrigger } from "../../workflows/graph/plan";
import type { FlowGraph } from "../../workflows/graph/schema";
import { validateGraph } from "../../workflows/graph/validate";

const NAME_MAX = 200;

/** The graph as saved graphs are: parsed, defaults applied. GraphInvalidError lists every problem. */
export function checkedGraph(raw: unknown, registry: NodeRegistry): FlowGraph {
  const result = validateGraph(raw, registry);
  if (!result.ok) throw new GraphInvalidError(result.problems);
  return result.graph;
}

export function saveFlowVersion(store: Store, registry: NodeRegistry, raw: unknown, opts: { flowId?: string; expectedVersion?: number } = {}): Promise<SavedVersion> {
  return flows.saveVersion(store, checkedGraph(raw, registry), opts);
}

/** A new, empty flow. An empty graph needs no node registry to be valid. */
export function createFlow(store: Store, name: string): Promise<SavedVersion> {
  return flows.create(store, { name: name.trim().slice(0, NAME_MAX), nodes: [], edges: [] });
}

/**
 * The latest graph under a new name, as a new version. Without `expectedVersion` the version
 * just read is expected, so an edit saved in between is a conflict rather than silently dropped.
 */
export async function renameFlow(store: Store, registry: NodeRegistry, flowId: string, name: string, expectedVersion?: number): Promise<SavedVersion> {
  const latest = await flows.get(store, flowId);
  const graph = checkedGraph({ ...latest.graph, name: name.trim().slice(0, NAME_MAX) }, registry);
  return flows.saveVersion(store, graph, { flowId, expectedVersion: expectedVersion ?? latest.version });
}

/** A new flow "<name> (copy)" holding the latest graph as its version 1. */
export async function duplicateFlow(store: Store, registry: NodeRegistry, flowId: string): Promise<SavedVersion> {
  const { graph } = await flows.get(store, flowId);
  const suffix = " (copy)";
  // Re-validated: the node registry may have changed since the original was saved.
  return flows.create(store, checkedGraph({ ...graph, name: `${graph.name.slice(0, NAME_MAX - suffix.length)}${suffix}` }, registry));
}

/** The reason Temporal gave: the SDK's message ("Failed to start Workflow") hides it in the gRPC cause's details. */
function startFailure(err: unknown): string {
  const e = err as { message?: string; details?: unknown; cause?: { details?: unknown; message?: string } };
  const details = [e?.details, e?.cause?.details].find((d): d is string => typeof d === "string" && d.length > 0);
  return details ?? e?.cause?.message ?? e?.message ?? String(err);
}

const ATTR = {
  FlowId: defineSearchAttributeKey("FlowId", SearchAttributeType.KEYWORD),
  FlowName: defineSearchAttributeKey("FlowName", SearchAttributeType.TEXT),
  FlowVersion: defineSearchAttributeKey("FlowVersion", SearchAttributeType.INT),
  TriggerKind: defineSearchAttributeKey("TriggerKind", SearchAttributeType.KEYWORD),
};

export interface StartedRun {
  runId: string;
  workflowId: string;
  temporalUrl: string;
}

/** Compile a saved version and start the interpreter workflow on it. The run pins that version. */
export async function startRun(
  store: Store,
  registry: NodeRegistry,
  client: Client,
  settings: TemporalSettings,
  opts: {
    versionId: string;
    /** What the run list shows ("manual", "cli", "event"...); default the trigger's kind. */
    triggerKind?: string;
    trigger?: RunTrigger;
    /**
     * A run id decided beforehand (a cohort's): starting it again finds the run already there
     * and starts nothing, and a failure to start leaves it to be tried again rather than failed.
     */
    runId?: string;
  },
): Promise<StartedRun> {
  const version = await flows.getVersion(store, opts.versionId);
  const plan = compileGraph(version.graph, registry, { id: version.flowId, version: version.version });
  const runId = opts.runId ?? randomUUID();
  const workflowId = `run-${runId}`;
  const temporalUrl = workflowUrl(settings, workflowId);
  const trigger: RunTrigger = opts.trigger ?? { kind: "manual" };
  const triggerKind = opts.triggerKind ?? trigger.kind;

  await runs.create(store, {
    runId,
    flowId: version.flowId,
    flowVersionId: version.id,
    flowVersion: version.version,
    triggerKind,
    trigger,
    workflowId,
    temporalUrl,
    nodes: plan.nodes.map((n) => ({ id: n.id, type: `${n.type}@${n.version}` })),
  });

  const input: RunFlowInput = { runId, plan, trigger };
  try {
    await client.workflow.start("runFlow", {
      taskQueue: settings.taskQueue,
      workflowId,
      args: [input],
      typedSearchAttributes: searchAttributes(plan, triggerKind),
      memo: { flowId: plan.flowId, flowName: plan.flowName, flowVersion: plan.flowVersion, runId },
    });
  } catch (err) {
    if (opts.runId && err instanceof WorkflowExecutionAlreadyStartedError) return { runId, workflowId, temporalUrl };
    const message = `Could not start the run: ${startFailure(err)}`;
    if (!opts.runId) await runs.failToStart(store, runId, message);
    throw new AppError("SERVICE_UNAVAILABLE", message, { cause: err });
  }
  return { runId, workflowId, temporalUrl };
}

/** The search attributes every run carries, so admins can filter runs in the Temporal UI. */
export function searchAttributes(plan: Pick<Plan, "flowId" | "flowName" | "flowVersion">, triggerKind: string): TypedSearchAttributes {
  return new TypedSearchAttributes([
    { key: ATTR.FlowId, value: plan.flowId },
    { key: ATTR.FlowName, value: plan.flowName },
    { key: ATTR.FlowVersion, value: plan.flowVersion },
    { key: ATTR.TriggerKind, value: triggerKind },
  ]);
}
