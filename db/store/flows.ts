// Flows and their frozen versions. Graphs arrive validated (the caller checked them against the
// node registry); the store keeps them, numbers versions and refuses lost updates.
import { and, count, desc, eq, inArray, sql } from "drizzle-orm";
import { AppError, NotFound, Precondition } from "../../lib/errors";
import { FLOW_ID, type FlowGraph } from "../../workflows/graph/schema";
import { ACTIVE_STATUSES, type RunStatus } from "../../workflows/graph/status";
import type { Q, Store } from "./handle";


export class VersionConflictError extends AppError {
  constructor(
    readonly flowId: string,
    readonly expected: number,
    readonly latest: number,
  ) {
    super("CONFLICT", `Flow "${flowId}" was saved by someone else meanwhile (you edited version ${expected}, the latest is ${latest}); reload it before saving`);
  }
}

export class FlowNotFoundError extends NotFound {
  constructor(readonly flowId: string) {
    super(`No flow "${flowId}"`);
  }
}

/** Deleting a flow while one of its runs is queued or running would pull the rows from under the worker. */
export class FlowBusyError extends Precondition {
  constructor(
    readonly flowId: string,
    readonly runId: string,
    readonly status: string,
  ) {
    super(`Flow "${flowId}" has a ${status} run (${runId}); cancel it or wait for it to finish before deleting the flow`);
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

export interface LastRun {
  id: string;
  status: RunStatus;
  createdAt: number;
  finishedAt: number | null;
}

const flowLock = (flowId: string) => `flow:${flowId}`;

async function flowRow(q: Q, s: Store, flowId: string) {
  const [flow] = await q.select().from(s.t.flows).where(eq(s.t.flows.id, flowId));
  return flow;
}

async function insertVersion(q: Q, s: Store, flowId: string, version: number, graph: FlowGraph, isNew: boolean): Promise<SavedVersion> {
  const { flows, flowVersions } = s.t;
  const versionId = `${flowId}@${version}`;
  const now = Date.now();
  if (isNew) await q.insert(flows).values({ id: flowId, name: graph.name, description: graph.description, latestVersion: version, createdAt: now, updatedAt: now });
  else await q.update(flows).set({ name: graph.name, description: graph.description ?? null, latestVersion: version, updatedAt: now }).where(eq(flows.id, flowId));
  await q.insert(flowVersions).values({ id: versionId, flowId, version, graph, nodeCount: graph.nodes.length, createdAt: now });
  return { flowId, version, versionId, created: true };
}

/**
 * Freeze a graph as the flow's next version (an unchanged graph keeps its version).
 * `expectedVersion` is the version the editor started from: saving over a newer one is refused
 * (VersionConflictError) rather than silently lost.
 */
export async function saveVersion(s: Store, graph: FlowGraph, opts: { flowId?: string; expectedVersion?: number } = {}): Promise<SavedVersion> {
  const flowId = opts.flowId ?? slugify(graph.name);
  if (!FLOW_ID.test(flowId)) throw new AppError("BAD_REQUEST", `Flow id "${flowId}" must be lower-case letters, digits and -`);
  return s.tx(
    async (q) => {
      const flow = await flowRow(q, s, flowId);
      const latest = flow?.latestVersion ?? 0;
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== latest) throw new VersionConflictError(flowId, opts.expectedVersion, latest);
      if (flow && latest > 0) {
        const { flowVersions } = s.t;
        const [last] = await q
          .select({ id: flowVersions.id, version: flowVersions.version, graph: flowVersions.graph })
          .from(flowVersions)
          .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.version, latest)));
        if (last && canonical(last.graph) === canonical(graph)) return { flowId, version: last.version, versionId: last.id, created: false };
      }
      return insertVersion(q, s, flowId, latest + 1, graph, !flow);
    },
    [flowLock(flowId)],
  );
}

/** A graph as version 1 of a new flow, under `slug`, else `slug-2`, `slug-3`, ... */
export function create(s: Store, graph: FlowGraph): Promise<SavedVersion> {
  const base = slugify(graph.name);
  // The lock is on the slug: two creates of the same name take turns, so they cannot pick the same id.
  return s.tx(
    async (q) => {
      for (let n = 1; ; n++) {
        const suffix = n === 1 ? "" : `-${n}`;
        const flowId = `${base.slice(0, 64 - suffix.length).replace(/-+$/, "")}${suffix}`;
        if (!(await flowRow(q, s, flowId))) return insertVersion(q, s, flowId, 1, graph, true);
      }
    },
    [`new-flow:${base}`],
  );
}

export interface FlowVersion {
  flow: Store["t"]["flows"]["$inferSelect"];
  versionId: string;
  version: number;
  graph: FlowGraph;
  savedAt: number;
}

/** One version of a flow: the latest unless `version` is given. NotFound names what is missing. */
export function get(s: Store, flowId: string, version?: number): Promise<FlowVersion> {
  return s.use(async (q) => {
    const flow = await flowRow(q, s, flowId);
    if (!flow) throw new FlowNotFoundError(flowId);
    const v = version ?? flow.latestVersion;
    const { flowVersions } = s.t;
    const [row] = await q
      .select()
      .from(flowVersions)
      .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.version, v)));
    if (!row) throw new NotFound(`Flow "${flowId}" has no version ${v}`);
    // Versions are validated when saved, so the stored JSON is a FlowGraph.
    return { flow, versionId: row.id, version: row.version, graph: row.graph as FlowGraph, savedAt: row.createdAt };
  });
}

/** A frozen version by its id (`<flow>@<n>`). */
export function getVersion(s: Store, versionId: string): Promise<{ id: string; flowId: string; version: number; graph: FlowGraph }> {
  return s.use(async (q) => {
    const { flowVersions } = s.t;
    const [row] = await q
      .select({ id: flowVersions.id, flowId: flowVersions.flowId, version: flowVersions.version, graph: flowVersions.graph })
      .from(flowVersions)
      .where(eq(flowVersions.id, versionId));
    if (!row) throw new NotFound(`No flow version "${versionId}"`);
    return { ...row, graph: row.graph as FlowGraph };
  });
}

/** Most recently edited first, each with its latest version's node count and its newest run. */
export function list(s: Store) {
  return s.use(async (q) => {
    const { flows, flowVersions, runs } = s.t;
    const rows = await q
      .select({ flow: flows, nodeCount: flowVersions.nodeCount })
      .from(flows)
      .leftJoin(flowVersions, and(eq(flowVersions.flowId, flows.id), eq(flowVersions.version, flows.latestVersion)))
      .orderBy(desc(flows.updatedAt), flows.id);
    // The newest run of every flow in one query (window functions mean the same on both dialects).
    const ranked = q
      .select({
        id: runs.id,
        flowId: runs.flowId,
        status: runs.status,
        createdAt: runs.createdAt,
        finishedAt: runs.finishedAt,
        rn: sql<number>`row_number() over (partition by ${runs.flowId} order by ${runs.createdAt} desc, ${runs.id} desc)`.as("rn"),
      })
      .from(runs)
      .as("ranked");
    const last = await q.select().from(ranked).where(eq(ranked.rn, 1));
    const byFlow = new Map(last.map(({ flowId, rn: _rn, ...run }) => [flowId, run satisfies LastRun]));
    return rows.map(({ flow, nodeCount }) => ({ ...flow, nodeCount: nodeCount ?? 0, lastRun: byFlow.get(flow.id) ?? null }));
  });
}

/**
 * Delete a flow with its versions, runs and node runs. Refused while a run is queued or running.
 * Datasets and models its runs produced stay: both may be shared (datasets are content-addressed).
 */
export function remove(s: Store, flowId: string): Promise<{ flowId: string; versions: number; runs: number }> {
  return s.tx(
    async (q) => {
      const { flows, flowVersions, runs, nodeRuns } = s.t;
      if (!(await flowRow(q, s, flowId))) throw new FlowNotFoundError(flowId);
      const [active] = await q
        .select({ id: runs.id, status: runs.status })
        .from(runs)
        .where(and(eq(runs.flowId, flowId), inArray(runs.status, [...ACTIVE_STATUSES])))
        .orderBy(desc(runs.createdAt))
        .limit(1);
      if (active) throw new FlowBusyError(flowId, active.id, active.status);
      // Children first and explicitly: runs.flow_version_id has no cascade.
      await q.delete(nodeRuns).where(inArray(nodeRuns.runId, q.select({ id: runs.id }).from(runs).where(eq(runs.flowId, flowId))));
      const deletedRuns = await q.delete(runs).where(eq(runs.flowId, flowId)).returning({ id: runs.id });
      const versions = await q.delete(flowVersions).where(eq(flowVersions.flowId, flowId)).returning({ id: flowVersions.id });
      await q.delete(flows).where(eq(flows.id, flowId));
      return { flowId, versions: versions.length, runs: deletedRuns.length };
    },
    [flowLock(flowId)],
  );
}

export function total(s: Store): Promise<number> {
  return s.use(async (q) => (await q.select({ n: count() }).from(s.t.flows))[0]?.n ?? 0);
}
