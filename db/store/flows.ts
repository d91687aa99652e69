// Flows and their frozen versions. Graphs arrive validated (the caller checked them against the
// node registry); the store keeps them, numbers versions and refuses lost updates. A version saved
// with problems is a draft: kept with its problems so no work is lost, never run.
import { and, count, desc, eq, inArray, isNull, max, sql } from "drizzle-orm";
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

/** A draft's problem as stored (the validator's GraphProblem). */
export interface VersionProblem {
  nodeId?: string;
  edgeId?: string;
  field?: string;
  message: string;
}

export interface SavedVersion {
  flowId: string;
  version: number;
  versionId: string;
  created: boolean;
  /** The draft's problems; null for a version that can run. */
  problems: VersionProblem[] | null;
  /** The newest version without problems: what triggers and schedules run (null: none yet). */
  latestValidVersion: number | null;
}

export interface SaveOptions {
  flowId?: string;
  expectedVersion?: number;
  /** Save as a draft with these problems (an empty list is no problems). */
  problems?: readonly VersionProblem[] | null;
  /** The signed-in user saving it (users.id). */
  createdBy?: string | null;
}

const draftProblems = (p: readonly VersionProblem[] | null | undefined): VersionProblem[] | null => (p && p.length ? p.map((x) => ({ ...x })) : null);

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

/** The newest version of the flow without problems, or null. */
async function latestValid(q: Q, s: Store, flowId: string): Promise<number | null> {
  const { flowVersions } = s.t;
  const [row] = await q
    .select({ v: max(flowVersions.version) })
    .from(flowVersions)
    .where(and(eq(flowVersions.flowId, flowId), isNull(flowVersions.problems)));
  return row?.v == null ? null : Number(row.v);
}

async function insertVersion(q: Q, s: Store, flowId: string, version: number, graph: FlowGraph, isNew: boolean, opts: Pick<SaveOptions, "problems" | "createdBy"> = {}): Promise<SavedVersion> {
  const { flows, flowVersions } = s.t;
  const versionId = `${flowId}@${version}`;
  const now = Date.now();
  const problems = draftProblems(opts.problems);
  if (isNew) await q.insert(flows).values({ id: flowId, name: graph.name, description: graph.description, latestVersion: version, createdAt: now, updatedAt: now });
  else await q.update(flows).set({ name: graph.name, description: graph.description ?? null, latestVersion: version, updatedAt: now }).where(eq(flows.id, flowId));
  await q.insert(flowVersions).values({ id: versionId, flowId, version, graph, nodeCount: graph.nodes.length, problems, createdBy: opts.createdBy ?? null, createdAt: now });
  return { flowId, version, versionId, created: true, problems, latestValidVersion: problems ? await latestValid(q, s, flowId) : version };
}

/**
 * Freeze a graph as the flow's next version (an unchanged graph keeps its version, unless it was a
 * draft and is not any more, or the other way round). `expectedVersion` is the version the editor
 * started from: saving over a newer one is refused (VersionConflictError) rather than silently lost.
 * With `problems`, the version is a draft.
 */
export async function saveVersion(s: Store, graph: FlowGraph, opts: SaveOptions = {}): Promise<SavedVersion> {
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
          .select({ id: flowVersions.id, version: flowVersions.version, graph: flowVersions.graph, problems: flowVersions.problems })
          .from(flowVersions)
          .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.version, latest)));
        const sameKind = (last?.problems == null) === (draftProblems(opts.problems) === null);
        if (last && sameKind && canonical(last.graph) === canonical(graph)) {
          const problems = draftProblems(last.problems);
          return { flowId, version: last.version, versionId: last.id, created: false, problems, latestValidVersion: problems ? await latestValid(q, s, flowId) : last.version };
        }
      }
      return insertVersion(q, s, flowId, latest + 1, graph, !flow, opts);
    },
    [flowLock(flowId)],
  );
}

/** A graph as version 1 of a new flow, under `slug`, else `slug-2`, `slug-3`, ... */
export function create(s: Store, graph: FlowGraph, opts: Pick<SaveOptions, "problems" | "createdBy"> = {}): Promise<SavedVersion> {
  const base = slugify(graph.name);
  // The lock is on the slug: two creates of the same name take turns, so they cannot pick the same id.
  return s.tx(
    async (q) => {
      for (let n = 1; ; n++) {
        const suffix = n === 1 ? "" : `-${n}`;
        const flowId = `${base.slice(0, 64 - suffix.length).replace(/-+$/, "")}${suffix}`;
        if (!(await flowRow(q, s, flowId))) return insertVersion(q, s, flowId, 1, graph, true, opts);
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
  /** The draft's problems; null for a version that can run. */
  problems: VersionProblem[] | null;
  createdBy: string | null;
  /** The flow's newest version without problems (what triggers and schedules run), or null. */
  latestValidVersion: number | null;
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
    // Versions are parsed when saved (drafts too), so the stored JSON is a FlowGraph.
    return {
      flow,
      versionId: row.id,
      version: row.version,
      graph: row.graph as FlowGraph,
      savedAt: row.createdAt,
      problems: draftProblems(row.problems),
      createdBy: row.createdBy,
      latestValidVersion: await latestValid(q, s, flowId),
    };
  });
}

/** A frozen version by its id (`<flow>@<n>`), with its problems if it is a draft. */
export function getVersion(s: Store, versionId: string): Promise<{ id: string; flowId: string; version: number; graph: FlowGraph; problems: VersionProblem[] | null }> {
  return s.use(async (q) => {
    const { flowVersions } = s.t;
    const [row] = await q
      .select({ id: flowVersions.id, flowId: flowVersions.flowId, version: flowVersions.version, graph: flowVersions.graph, problems: flowVersions.problems })
      .from(flowVersions)
      .where(eq(flowVersions.id, versionId));
    if (!row) throw new NotFound(`No flow version "${versionId}"`);
    return { ...row, graph: row.graph as FlowGraph, problems: draftProblems(row.problems) };
  });
}

export interface VersionSummary {
  version: number;
  versionId: string;
  /** The flow's name in that version. */
  name: string;
  nodeCount: number;
  savedAt: number;
  /** Who saved it: null when not recorded (versions saved before it was); `removed` when the account is gone. */
  savedBy: { id: string; name: string; email: string } | { id: string; removed: true } | null;
  /** A draft's problems (null: it can run). */
  problems: VersionProblem[] | null;
}

/** Every version of a flow, newest first, with who saved it and whether it is a draft. */
export function versions(s: Store, flowId: string): Promise<VersionSummary[]> {
  return s.use(async (q) => {
    if (!(await flowRow(q, s, flowId))) throw new FlowNotFoundError(flowId);
    const { flowVersions: v, users: u } = s.t;
    const rows = await q
      .select({ version: v.version, versionId: v.id, graph: v.graph, nodeCount: v.nodeCount, savedAt: v.createdAt, problems: v.problems, createdBy: v.createdBy, userName: u.name, userEmail: u.email })
      .from(v)
      .leftJoin(u, eq(u.id, v.createdBy))
      .where(eq(v.flowId, flowId))
      .orderBy(desc(v.version));
    return rows.map((r) => ({
      version: r.version,
      versionId: r.versionId,
      name: (r.graph as FlowGraph).name,
      nodeCount: r.nodeCount,
      savedAt: r.savedAt,
      savedBy: r.createdBy === null ? null : r.userEmail === null ? { id: r.createdBy, removed: true as const } : { id: r.createdBy, name: r.userName ?? "", email: r.userEmail },
      problems: draftProblems(r.problems),
    }));
  });
}

/** Most recently edited first, each with its latest version's node count and its newest run. */
export function list(s: Store) {
  return s.use(async (q) => {
    const { flows, flowVersions, runs } = s.t;
    const rows = await q
      .select({ flow: flows, nodeCount: flowVersions.nodeCount, problems: flowVersions.problems })
      .from(flows)
      .leftJoin(flowVersions, and(eq(flowVersions.flowId, flows.id), eq(flowVersions.version, flows.latestVersion)))
      .orderBy(desc(flows.updatedAt), flows.id);
    // The newest version without problems of each flow whose latest is a draft.
    const drafts = rows.filter((r) => r.problems != null).map((r) => r.flow.id);
    const valid = drafts.length
      ? await q
          .select({ flowId: flowVersions.flowId, v: max(flowVersions.version) })
          .from(flowVersions)
          .where(and(inArray(flowVersions.flowId, drafts), isNull(flowVersions.problems)))
          .groupBy(flowVersions.flowId)
      : [];
    const validBy = new Map(valid.map((r) => [r.flowId, r.v == null ? null : Number(r.v)]));
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
    return rows.map(({ flow, nodeCount, problems }) => ({
      ...flow,
      nodeCount: nodeCount ?? 0,
      lastRun: byFlow.get(flow.id) ?? null,
      /** The latest version is a draft with this many problems (0: it can run). */
      draftProblems: problems?.length ?? 0,
      latestValidVersion: problems?.length ? (validBy.get(flow.id) ?? null) : flow.latestVersion,
    }));
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
