// Saving flows and starting runs: shared by the CLI and the API, so both validate the same way.
import type { Client } from "@temporalio/client";
import { SearchAttributeType, TypedSearchAttributes, defineSearchAttributeKey } from "@temporalio/common";
import { desc, eq } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import type { Db } from "../../db/client";
import { flowVersions, flows, nodeRuns, runs } from "../../db/schema";
import { workflowUrl, type TemporalSettings } from "../../lib/temporal";
import type { NodeRegistry } from "../../nodes/node-registry";
import { GraphInvalidError, compileGraph } from "../../workflows/graph/compile";
import type { RunFlowInput } from "../../workflows/graph/plan";
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
