// What saving and running need beyond the store: checking graphs against the node registry, and
// starting the interpreter workflow. The routers (and later the triggers) come here.
import { WorkflowExecutionAlreadyStartedError, type Client } from "@temporalio/client";
import { SearchAttributeType, TypedSearchAttributes, defineSearchAttributeKey } from "@temporalio/common";
import { randomUUID } from "node:crypto";
import { flows, runs, type Store } from "../../db/store";
import type { SavedVersion, SaveOptions } from "../../db/store/flows";
import { AppError, Precondition } from "../../lib/errors";
import { workflowUrl, type TemporalSettings } from "../../lib/temporal";
import type { NodeRegistry } from "../../nodes/node-registry";
import { GraphInvalidError, compileGraph, planUpTo, refuseSampleActions } from "../../workflows/graph/compile";
import type { Plan, RunFlowInput, RunTrigger } from "../../workflows/graph/plan";
import type { FlowGraph } from "../../workflows/graph/schema";
import { draftRunRefusal } from "../../workflows/graph/draft";
import { validateGraph, type GraphProblem } from "../../workflows/graph/validate";

const NAME_MAX = 200;

/** The graph as saved graphs are: parsed, defaults applied. GraphInvalidError lists every problem. */
export function checkedGraph(raw: unknown, registry: NodeRegistry): FlowGraph {
  const result = validateGraph(raw, registry);
  if (!result.ok) throw new GraphInvalidError(result.problems);
  return result.graph;
}

/**
 * The graph as saved graphs are, with its problems (none: it can run). A graph that cannot even
 * be parsed (no name, a node without an id...) cannot be kept as a draft: GraphInvalidError.
 */
export function draftGraph(raw: unknown, registry: NodeRegistry): { graph: FlowGraph; problems: GraphProblem[] } {
  const result = validateGraph(raw, registry);
  if (!result.graph) throw new GraphInvalidError(result.problems);
  return { graph: result.graph, problems: result.problems };
}

export type SaveFlowOptions = Pick<SaveOptions, "flowId" | "expectedVersion" | "createdBy"> & {
  /** Keep a graph with problems as a draft instead of refusing it (the editor's Save). */
  draft?: boolean;
};

export function saveFlowVersion(store: Store, registry: NodeRegistry, raw: unknown, opts: SaveFlowOptions = {}): Promise<SavedVersion> {
  const { draft, ...rest } = opts;
  if (!draft) return flows.saveVersion(store, checkedGraph(raw, registry), rest);
  const { graph, problems } = draftGraph(raw, registry);
  return flows.saveVersion(store, graph, { ...rest, problems });
}

/**
 * An earlier version's graph saved as the newest version (restoring 1 over 3 makes version 4 equal
 * to 1). Checked against today's nodes: if it has problems now, the new version is a draft.
 * `expectedVersion` guards against a version saved meanwhile, as for any save.
 */
export async function restoreVersion(store: Store, registry: NodeRegistry, flowId: string, version: number, opts: Pick<SaveOptions, "expectedVersion" | "createdBy"> = {}): Promise<SavedVersion> {
  const old = await flows.get(store, flowId, version);
  return saveFlowVersion(store, registry, old.graph, { flowId, draft: true, expectedVersion: opts.expectedVersion ?? old.flow.latestVersion, createdBy: opts.createdBy });
}

/** A new, empty flow. An empty graph needs no node registry to be valid. */
export function createFlow(store: Store, name: string, createdBy?: string | null): Promise<SavedVersion> {
  return flows.create(store, { name: name.trim().slice(0, NAME_MAX), nodes: [], edges: [] }, { createdBy });
}

/**
 * The latest graph under a new name, as a new version. Without `expectedVersion` the version
 * just read is expected, so an edit saved in between is a conflict rather than silently dropped.
 */
export async function renameFlow(store: Store, registry: NodeRegistry, flowId: string, name: string, expectedVersion?: number, createdBy?: string | null): Promise<SavedVersion> {
  const latest = await flows.get(store, flowId);
  // A draft renamed stays a draft; a version that could run must still be able to.
  return saveFlowVersion(store, registry, { ...latest.graph, name: name.trim().slice(0, NAME_MAX) }, { flowId, expectedVersion: expectedVersion ?? latest.version, draft: latest.problems !== null, createdBy });
}

/** A new flow "<name> (copy)" holding the latest graph as its version 1. */
export async function duplicateFlow(store: Store, registry: NodeRegistry, flowId: string, createdBy?: string | null): Promise<SavedVersion> {
  const { graph, problems } = await flows.get(store, flowId);
  const suffix = " (copy)";
  const copy = { ...graph, name: `${graph.name.slice(0, NAME_MAX - suffix.length)}${suffix}` };
  // Re-validated: the node registry may have changed since the original was saved. A draft's copy is a draft.
  if (problems === null) return flows.create(store, checkedGraph(copy, registry), { createdBy });
  const checked = draftGraph(copy, registry);
  return flows.create(store, checked.graph, { problems: checked.problems, createdBy });
}

/** A draft asked to run: refused, naming the flow, the version and its first problems. */
export class DraftNotRunnableError extends Precondition {
  constructor(
    readonly flowId: string,
    readonly version: number,
    readonly problems: GraphProblem[],
    message: string,
  ) {
    super(message);
  }
}

/** Throws DraftNotRunnableError when the version is a draft. */
export async function refuseDraft(store: Store, v: { flowId: string; version: number; graph: FlowGraph; problems: GraphProblem[] | null }): Promise<void> {
  if (!v.problems) return;
  const { latestValidVersion } = await flows.get(store, v.flowId, v.version);
  throw new DraftNotRunnableError(v.flowId, v.version, v.problems, draftRunRefusal({ id: v.flowId, name: v.graph.name }, v.version, v.problems, latestValidVersion));
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
    /** Run only this node and the nodes it needs ("run up to here"). */
    upTo?: string;
  },
): Promise<StartedRun> {
  const version = await flows.getVersion(store, opts.versionId);
  // Drafts never run, whoever asks (a person, the CLI, a trigger's cohort).
  await refuseDraft(store, version);
  const whole = compileGraph(version.graph, registry, { id: version.flowId, version: version.version });
  const plan = opts.upTo === undefined ? whole : planUpTo(whole, opts.upTo);
  const runId = opts.runId ?? randomUUID();
  const workflowId = `run-${runId}`;
  const temporalUrl = workflowUrl(settings, workflowId);
  const trigger: RunTrigger = opts.trigger ?? { kind: "manual" };
  // A sample run (trigger.sample) never acts on customers: refused before anything is created.
  if (trigger.sample) refuseSampleActions(plan);
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
