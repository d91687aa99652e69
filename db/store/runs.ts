// Runs and node runs: created when a run starts, then written by the workers as the workflow
// reports (pages read these, never Temporal history).
import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { RunTrigger } from "../../workflows/graph/plan";
import { NotFound } from "../../lib/errors";
import { ACTIVE_STATUSES, isActive, isFinished, type NodeStatus, type RunStatus } from "../../workflows/graph/status";
import type { Q, Store } from "./handle";
import { close as closeEntries } from "./journey-entries";

type Tables = Store["t"];
export type RunRow = Tables["runs"]["$inferSelect"];
export type NodeRunRow = Tables["nodeRuns"]["$inferSelect"];
/** The columns a worker writes while a node runs. */
export type NodeRunUpdate = Partial<Omit<Tables["nodeRuns"]["$inferInsert"], "runId" | "nodeId" | "type">>;

export interface NewRun {
  runId: string;
  flowId: string;
  flowVersionId: string;
  flowVersion: number;
  triggerKind: string;
  trigger?: RunTrigger | null;
  workflowId: string;
  temporalUrl: string;
  /** Every node of the plan, queued. */
  nodes: { id: string; type: string }[];
}

export function create(s: Store, run: NewRun): Promise<void> {
  return s.tx(async (q) => {
    const { runs, nodeRuns } = s.t;
    const { nodes, runId, ...rest } = run;
    // A run created again (a cohort's run after a crash, a scheduled run's first report) is kept as it is.
    const created = await q
      .insert(runs)
      .values({ id: runId, ...rest, createdAt: Date.now() })
      .onConflictDoNothing()
      .returning({ id: runs.id });
    if (created.length && nodes.length) await q.insert(nodeRuns).values(nodes.map((n) => ({ runId, nodeId: n.id, type: n.type, status: "queued" as const })));
  });
}

/** A run whose workflow could not be started. */
export function failToStart(s: Store, runId: string, error: string): Promise<void> {
  return s.use(async (q) => {
    await q.update(s.t.runs).set({ status: "failed", error, finishedAt: Date.now() }).where(eq(s.t.runs.id, runId));
  });
}

function runColumns(t: Tables) {
  const { runs, flows } = t;
  return {
    id: runs.id,
    flowId: runs.flowId,
    flowName: flows.name,
    flowVersion: runs.flowVersion,
    flowVersionId: runs.flowVersionId,
    status: runs.status,
    triggerKind: runs.triggerKind,
    trigger: runs.trigger,
    workflowId: runs.workflowId,
    temporalUrl: runs.temporalUrl,
    error: runs.error,
    createdAt: runs.createdAt,
    startedAt: runs.startedAt,
    finishedAt: runs.finishedAt,
  };
}

export interface NodeCounts {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
}

/** Newest first, with a per-status count of each run's nodes. */
export function list(s: Store, opts: { flowId?: string; limit?: number } = {}) {
  return s.use(async (q) => {
    const { runs, flows, nodeRuns } = s.t;
    const rows = await q
      .select(runColumns(s.t))
      .from(runs)
      .innerJoin(flows, eq(runs.flowId, flows.id))
      .where(opts.flowId ? eq(runs.flowId, opts.flowId) : undefined)
      .orderBy(desc(runs.createdAt), desc(runs.id))
      .limit(opts.limit ?? 50);
    const counts = new Map<string, NodeCounts>();
    if (rows.length) {
      const grouped = await q
        .select({ runId: nodeRuns.runId, status: nodeRuns.status, n: count() })
        .from(nodeRuns)
        .where(inArray(nodeRuns.runId, rows.map((r) => r.id)))
        .groupBy(nodeRuns.runId, nodeRuns.status);
      for (const g of grouped) {
        const c = counts.get(g.runId) ?? { total: 0, succeeded: 0, failed: 0, running: 0 };
        c.total += g.n;
        if (g.status === "succeeded" || g.status === "failed" || g.status === "running") c[g.status] += g.n;
        counts.set(g.runId, c);
      }
    }
    return rows.map((r) => ({ ...r, nodes: counts.get(r.id) ?? { total: 0, succeeded: 0, failed: 0, running: 0 } }));
  });
}

/** A run and its nodes (started ones first, in start order). NotFound when there is no such run. */
export function get(s: Store, runId: string) {
  return s.use(async (q) => {
    const { runs, flows, nodeRuns } = s.t;
    const [run] = await q.select(runColumns(s.t)).from(runs).innerJoin(flows, eq(runs.flowId, flows.id)).where(eq(runs.id, runId));
    if (!run) throw new NotFound(`No run "${runId}"`);
    const nodes = await q
      .select()
      .from(nodeRuns)
      .where(eq(nodeRuns.runId, runId))
      .orderBy(sql`${nodeRuns.startedAt} is null`, asc(nodeRuns.startedAt), asc(nodeRuns.nodeId));
    return { run, nodes };
  });
}

/** One node of a run; NotFound says whether the run or the node is missing. */
export function node(s: Store, runId: string, nodeId: string): Promise<NodeRunRow> {
  return s.use(async (q) => {
    const { runs, nodeRuns } = s.t;
    const [row] = await q
      .select()
      .from(nodeRuns)
      .where(and(eq(nodeRuns.runId, runId), eq(nodeRuns.nodeId, nodeId)));
    if (row) return row;
    const [run] = await q.select({ id: runs.id }).from(runs).where(eq(runs.id, runId));
    throw new NotFound(run ? `Run "${runId}" has no node "${nodeId}"` : `No run "${runId}"`);
  });
}

/** The run's own row (no nodes). */
export function row(s: Store, runId: string): Promise<RunRow> {
  return s.use(async (q) => {
    const [run] = await q.select().from(s.t.runs).where(eq(s.t.runs.id, runId));
    if (!run) throw new NotFound(`No run "${runId}"`);
    return run;
  });
}

/** A worker's report on one node (status, attempt, progress, result). */
export function updateNode(s: Store, runId: string, nodeId: string, values: NodeRunUpdate): Promise<void> {
  return s.use(async (q) => {
    const { nodeRuns } = s.t;
    await q
      .update(nodeRuns)
      .set(values)
      .where(and(eq(nodeRuns.runId, runId), eq(nodeRuns.nodeId, nodeId)));
  });
}

export interface RunReport {
  runId: string;
  status: RunStatus;
  error?: string;
  /** Terminal states the workflow decided (failed after retries, skipped, cancelled). */
  nodes?: Array<{ id: string; status: NodeStatus; error?: string }>;
}

/** The workflow's report on the whole run; at the end, nodes still queued or running did not finish. */
export function report(s: Store, r: RunReport): Promise<void> {
  return s.tx((q) => apply(q, s, r));
}

/**
 * The end of a run whose workflow closed without reporting it (terminated or timed out in
 * Temporal), recorded only if the run is still queued or running: a report the workflow made
 * meanwhile is never overwritten. True when it recorded something.
 */
export function settleUnreported(s: Store, r: RunReport): Promise<boolean> {
  return s.tx(async (q) => {
    const [row] = await q.select({ status: s.t.runs.status }).from(s.t.runs).where(eq(s.t.runs.id, r.runId));
    if (!row || !isActive(row.status)) return false;
    await apply(q, s, r);
    return true;
  });
}

async function apply(q: Q, s: Store, { runId, status, error, nodes }: RunReport): Promise<void> {
  const { runs, nodeRuns } = s.t;
  const now = Date.now();
  const terminal = isFinished(status);
  await q
    .update(runs)
    .set({ status, error: error ?? null, ...(status === "running" ? { startedAt: now } : {}), ...(terminal ? { finishedAt: now } : {}) })
    .where(eq(runs.id, runId));
  for (const n of nodes ?? []) {
    await q
      .update(nodeRuns)
      .set({ status: n.status, error: n.error ?? null, finishedAt: now, progress: null })
      .where(and(eq(nodeRuns.runId, runId), eq(nodeRuns.nodeId, n.id)));
  }
  if (terminal) {
    await closeEntries(q, s, runId); // the customers who entered the journey with this run are through it
    await q
      .update(nodeRuns)
      .set({ status: status === "cancelled" ? "cancelled" : "skipped", finishedAt: now })
      .where(and(eq(nodeRuns.runId, runId), inArray(nodeRuns.status, [...ACTIVE_STATUSES, "waiting"])));
  }
}

export function total(s: Store): Promise<number> {
  return s.use(async (q) => (await q.select({ n: count() }).from(s.t.runs))[0]?.n ?? 0);
}
