// Saving flows and starting runs: shared by the CLI and the API, so both validate the same way.
import type { Client } from "@temporalio/client";
import { SearchAttributeType, TypedSearchAttributes, defineSearchAttributeKey } from "@temporalio/common";
import { and, desc, eq, inArray } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import type { Db } from "../../db/client";
import { flowVersions, flows, nodeRuns, runs } from "../../db/schema";
import { workflowUrl, type TemporalSettings } from "../../lib/temporal";
import type { NodeRegistry } from "../../nodes/node-registry";
import { GraphInvalidError, compileGraph } from "../../workflows/graph/compile";
import type { RunFlowInput } from "../../workflows/graph/plan";
import type { FlowGraph } from "../../workflows/graph/schema";
import { validateGraph } from "../../workflows/graph/validate";

export const FLOW_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class VersionConflictError extends Error {
  constructor(readonly flowId: string, readonly expected: number, readonly latest: number) {
    super(`Flow "${flowId}" was saved by someone else meanwhile (you edited version ${expected}, the latest is ${latest}); reload it before saving`);
    this.name = "VersionConflictError";
  }
}

export function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64) || "flow";
}

/** Stable JSON (sorted keys) so an unchanged graph is recognised and not saved as a new version. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

export interface SavedVersion {
  flowId: string;
  version: number;
  versionId: string;
  created: boolean;
}

/**
 * Validate and freeze a graph as the flow's next version. `expectedVersion` is the version the
 * editor started from: saving over a newer one is refused rather than silently lost.
 */
export function saveFlowVersion(db: Db, registry: NodeRegistry, raw: unknown, opts: { flowId?: string; expectedVersion?: number } = {}): SavedVersion {
  const result = validateGraph(raw, registry);
  if (!result.ok) throw new GraphInvalidError(result.problems);
  const graph = result.graph;
  const flowId = opts.flowId ?? slugify(graph.name);
  if (!FLOW_ID.test(flowId)) throw new Error(`Flow id "${flowId}" must be lower-case letters, digits and -`);

  return db.transaction(
    (tx) => {
      const flow = tx.select().from(flows).where(eq(flows.id, flowId)).get();
      const latest = flow?.latestVersion ?? 0;
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== latest) throw new VersionConflictError(flowId, opts.expectedVersion, latest);
      if (flow && latest > 0) {
        const last = tx.select().from(flowVersions).where(eq(flowVersions.flowId, flowId)).orderBy(desc(flowVersions.version)).limit(1).get();
        if (last && canonical(last.graph) === canonical(graph)) return { flowId, version: last.version, versionId: last.id, created: false };
      }
      const version = latest + 1;
      const versionId = `${flowId}@${version}`;
      if (flow) tx.update(flows).set({ name: graph.name, description: graph.description, latestVersion: version, updatedAt: Date.now() }).where(eq(flows.id, flowId)).run();
      else tx.insert(flows).values({ id: flowId, name: graph.name, description: graph.description, latestVersion: version }).run();
      tx.insert(flowVersions).values({ id: versionId, flowId, version, graph }).run();
      return { flowId, version, versionId, created: true };
    },
    { behavior: "immediate" },
  );
}

/** A flow that does not exist (the router answers NOT_FOUND). */
export class FlowNotFoundError extends Error {
  constructor(readonly flowId: string) {
    super(`No flow "${flowId}"`);
    this.name = "FlowNotFoundError";
  }
}

/** Deleting a flow while one of its runs is queued or running would pull the rows from under the worker. */
export class FlowBusyError extends Error {
  constructor(readonly flowId: string, readonly runId: string, readonly status: string) {
    super(`Flow "${flowId}" has a ${status} run (${runId}); cancel it or wait for it to finish before deleting the flow`);
    this.name = "FlowBusyError";
  }
}

const NAME_MAX = 200;

function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new Error("A flow needs a name");
  return trimmed.slice(0, NAME_MAX);
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** `slug`, else `slug-2`, `slug-3`, ...: read inside the writing transaction, so two creates cannot pick the same id. */
function freeFlowId(tx: Tx, name: string): string {
  const base = slugify(name);
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? "" : `-${n}`;
    const id = `${base.slice(0, 64 - suffix.length).replace(/-+$/, "")}${suffix}`;
    if (!tx.select({ id: flows.id }).from(flows).where(eq(flows.id, id)).get()) return id;
  }
}

/** A graph (already validated) as version 1 of a flow under a fresh id. */
function insertNewFlow(db: Db, graph: FlowGraph): SavedVersion {
  return db.transaction(
    (tx) => {
      const flowId = freeFlowId(tx, graph.name);
      const versionId = `${flowId}@1`;
      tx.insert(flows).values({ id: flowId, name: graph.name, description: graph.description, latestVersion: 1 }).run();
      tx.insert(flowVersions).values({ id: versionId, flowId, version: 1, graph }).run();
      return { flowId, version: 1, versionId, created: true };
    },
    { behavior: "immediate" },
  );
}

function latestGraph(db: Db, flowId: string): { graph: FlowGraph; version: number } {
  const flow = db.select().from(flows).where(eq(flows.id, flowId)).get();
  const row = flow && db.select().from(flowVersions).where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.version, flow.latestVersion))).get();
  if (!row) throw new FlowNotFoundError(flowId);
  // Versions are validated when saved, so the stored JSON is a FlowGraph.
  return { graph: row.graph as FlowGraph, version: row.version };
}

/** A new, empty flow. An empty graph needs no node registry to be valid. */
export function createFlow(db: Db, name: string): SavedVersion {
  return insertNewFlow(db, { name: cleanName(name), nodes: [], edges: [] });
}

/**
 * The latest graph under a new name, as a new version. Without `expectedVersion` the version
 * just read is expected, so an edit saved in between is a conflict rather than silently dropped.
 */
export function renameFlow(db: Db, registry: NodeRegistry, flowId: string, name: string, expectedVersion?: number): SavedVersion {
  const latest = latestGraph(db, flowId);
  return saveFlowVersion(db, registry, { ...latest.graph, name: cleanName(name) }, { flowId, expectedVersion: expectedVersion ?? latest.version });
}

/** A new flow "<name> (copy)" holding the latest graph as its version 1. */
export function duplicateFlow(db: Db, registry: NodeRegistry, flowId: string): SavedVersion {
  const { graph } = latestGraph(db, flowId);
  const suffix = " (copy)";
  // Re-validated: the node registry may have changed since the original was saved.
  const result = validateGraph({ ...graph, name: `${graph.name.slice(0, NAME_MAX - suffix.length)}${suffix}` }, registry);
  if (!result.ok) throw new GraphInvalidError(result.problems);
  return insertNewFlow(db, result.graph);
}

/**
 * Delete a flow with its versions, runs and node runs. Refused while a run is queued or running.
 * Datasets and models its runs produced stay: both may be shared (datasets are content-addressed).
 */
export function deleteFlow(db: Db, flowId: string): { flowId: string; versions: number; runs: number } {
  return db.transaction(
    (tx) => {
      if (!tx.select({ id: flows.id }).from(flows).where(eq(flows.id, flowId)).get()) throw new FlowNotFoundError(flowId);
      const active = tx
        .select({ id: runs.id, status: runs.status })
        .from(runs)
        .where(and(eq(runs.flowId, flowId), inArray(runs.status, ["queued", "running"])))
        .orderBy(desc(runs.createdAt))
        .get();
      if (active) throw new FlowBusyError(flowId, active.id, active.status);
      // Children first and explicitly: runs.flow_version_id has no cascade, so relying on the
      // flow's cascades would depend on the order SQLite applies them in.
      tx.delete(nodeRuns).where(inArray(nodeRuns.runId, tx.select({ id: runs.id }).from(runs).where(eq(runs.flowId, flowId)))).run();
      const deletedRuns = tx.delete(runs).where(eq(runs.flowId, flowId)).run().changes;
      const versions = tx.delete(flowVersions).where(eq(flowVersions.flowId, flowId)).run().changes;
      tx.delete(flows).where(eq(flows.id, flowId)).run();
      return { flowId, versions, runs: deletedRuns };
    },
    { behavior: "immediate" },
  );
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
  db: Db,
  registry: NodeRegistry,
  client: Client,
  settings: TemporalSettings,
  opts: { versionId: string; triggerKind?: string },
): Promise<StartedRun> {
  const version = db.select().from(flowVersions).where(eq(flowVersions.id, opts.versionId)).get();
  if (!version) throw new Error(`No flow version "${opts.versionId}"`);
  const plan = compileGraph(version.graph, registry, { id: version.flowId, version: version.version });
  const runId = randomUUID();
  const workflowId = `run-${runId}`;
  const temporalUrl = workflowUrl(settings, workflowId);
  const triggerKind = opts.triggerKind ?? "manual";

  db.transaction((tx) => {
    tx.insert(runs).values({ id: runId, flowId: version.flowId, flowVersionId: version.id, flowVersion: version.version, triggerKind, workflowId, temporalUrl }).run();
    for (const node of plan.nodes) tx.insert(nodeRuns).values({ runId, nodeId: node.id, type: `${node.type}@${node.version}`, status: "queued" }).run();
  });

  const input: RunFlowInput = { runId, plan };
  try {
    await client.workflow.start("runFlow", {
      taskQueue: settings.taskQueue,
      workflowId,
      args: [input],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: ATTR.FlowId, value: plan.flowId },
        { key: ATTR.FlowName, value: plan.flowName },
        { key: ATTR.FlowVersion, value: plan.flowVersion },
        { key: ATTR.TriggerKind, value: triggerKind },
      ]),
      memo: { flowId: plan.flowId, flowName: plan.flowName, flowVersion: plan.flowVersion, runId },
    });
  } catch (err) {
    db.update(runs).set({ status: "failed", error: `Could not start the run: ${err instanceof Error ? err.message : String(err)}`, finishedAt: Date.now() }).where(eq(runs.id, runId)).run();
    throw err;
  }
  return { runId, workflowId, temporalUrl };
}
