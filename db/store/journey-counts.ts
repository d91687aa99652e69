// Live counts of a flow's journeys: for each version with runs still going, how many customers
// reached each node, how many it holds now and how many it passed on, over all the version's runs
// (parents and released parts alike). A constant number of grouped queries, whatever the runs.
//
// Where the numbers come from: a node passes on the rows of its table outputs (node_runs.outputs,
// per port, of the runs where it succeeded); a node entered what its upstream outputs passed into
// it (a node with no input: what it passed on). Journey steps keep their own books: a wait passes
// on the customers of the parts whose time has come (its `schedule` metric) and holds the rest; a
// wait for an event counts its waiters (entered: all of them; waiting: not yet taken on while the
// step holds them; passed on: taken on from "did it", or timed out; those who left the journey by
// its exit event entered only). Rows a node put off (quiet hours) count as passed on when it sends
// them, in the run for their part.
import { and, count, eq, inArray, sql } from "drizzle-orm";
import { parseTypeRef, type FlowGraph } from "../../workflows/graph/schema";
import { ACTIVE_STATUSES } from "../../workflows/graph/status";
import type { Store } from "./handle";

export interface NodeCount {
  id: string;
  type: string;
  label: string | null;
  /** Rows that reached the node (for a wait for an event: customers held). */
  entered: number;
  /** Customers a journey step holds now (0 for other nodes). */
  waiting: number;
  /** Rows the node output. */
  passedOn: number;
}

export interface LiveVersion {
  versionId: string;
  version: number;
  /** Runs of this version queued or running (released parts included). */
  activeRuns: number;
  /** In the version's graph order. */
  nodes: NodeCount[];
}

const WAIT = "control.wait";
const WAIT_EVENT = "control.wait-event";
/** control.wait-event's output ports, and the waiter status that went out through each. */
const EVENT_PORTS = { did: "taken", timedOut: "timed out" } as const;

const key = (node: string, port: string) => `${node}\u0000${port}`;

/** The flow's live versions (newest first), each with the counts of every node of its graph. */
export function nodeCounts(s: Store, flowId: string, now = Date.now()): Promise<LiveVersion[]> {
  return s.use(async (q) => {
    const { runs, nodeRuns, flowVersions, waits, waiters } = s.t;
    const live = await q
      .select({ versionId: runs.flowVersionId, version: runs.flowVersion, active: count() })
      .from(runs)
      .where(and(eq(runs.flowId, flowId), inArray(runs.status, [...ACTIVE_STATUSES])))
      .groupBy(runs.flowVersionId, runs.flowVersion);
    if (!live.length) return [];
    const ids = live.map((v) => v.versionId);
    const ofLive = and(eq(runs.flowId, flowId), inArray(runs.flowVersionId, ids));
    const pg = s.dialect === "postgres";
    const at = (v: string, field: string) => (pg ? sql`(${sql.raw(v)}.value ->> ${field})` : sql`json_extract(${sql.raw(v)}.value, ${`$.${field}`})`);
    const int = (v: string, field: string) => (pg ? sql`${at(v, field)}::bigint` : at(v, field));
    const nowMs = sql`cast(${now} as bigint)`;

    const graphs = await q.select({ id: flowVersions.id, graph: flowVersions.graph }).from(flowVersions).where(inArray(flowVersions.id, ids));

    // Rows out per port, summed over the runs where the node succeeded (journey steps' rows are ignored below).
    const ports = await q
      .select({ versionId: runs.flowVersionId, nodeId: nodeRuns.nodeId, port: sql<string>`o.key`, n: sql<number>`sum(${int("o", "rows")})` })
      .from(nodeRuns)
      .innerJoin(runs, eq(runs.id, nodeRuns.runId))
      .innerJoin(pg ? sql`jsonb_each(${nodeRuns.outputs}) as o` : sql`json_each(${nodeRuns.outputs}) as o`, sql`1 = 1`)
      .where(and(ofLive, eq(nodeRuns.status, "succeeded"), sql`${at("o", "kind")} = 'table'`))
      .groupBy(runs.flowVersionId, nodeRuns.nodeId, sql`o.key`);

    // Waits: each part of the schedule is still held while its time is to come and the node waits;
    // it went on once its time came (before the node finished, if it was cancelled or failed).
    const partAt = pg ? sql`(extract(epoch from ${at("e", "at")}::timestamptz) * 1000)` : sql`((julianday(${at("e", "at")}) - 2440587.5) * 86400000.0)`;
    const customers = int("e", "customers");
    const cutoff = sql`case when ${nodeRuns.status} = 'waiting' then ${nowMs} else coalesce(${nodeRuns.finishedAt}, ${nowMs}) end`;
    const timers = await q
      .select({
        versionId: runs.flowVersionId,
        nodeId: nodeRuns.nodeId,
        waiting: sql<number>`sum(case when ${nodeRuns.status} = 'waiting' and ${partAt} > ${nowMs} then ${customers} else 0 end)`,
        passed: sql<number>`sum(case when ${nodeRuns.status} = 'succeeded' or ${partAt} <= ${cutoff} then ${customers} else 0 end)`,
      })
      .from(nodeRuns)
      .innerJoin(runs, eq(runs.id, nodeRuns.runId))
      .innerJoin(pg ? sql`jsonb_array_elements(${nodeRuns.metrics} -> 'schedule') as e(value)` : sql`json_each(${nodeRuns.metrics}, '$.schedule') as e`, sql`1 = 1`)
      .where(and(ofLive, sql`${nodeRuns.type} like ${`${WAIT}@%`}`))
      .groupBy(runs.flowVersionId, nodeRuns.nodeId);

    // Waits for an event: their waiters by status, and whether the step still holds them.
    const held = await q
      .select({ versionId: runs.flowVersionId, nodeId: waits.nodeId, status: waiters.status, node: nodeRuns.status, n: count() })
      .from(waiters)
      .innerJoin(waits, eq(waits.id, waiters.waitId))
      .innerJoin(runs, eq(runs.id, waits.runId))
      .leftJoin(nodeRuns, and(eq(nodeRuns.runId, waits.runId), eq(nodeRuns.nodeId, waits.nodeId)))
      .where(and(eq(waits.flowId, flowId), ofLive))
      .groupBy(runs.flowVersionId, waits.nodeId, waiters.status, nodeRuns.status);

    return live
      .sort((a, b) => b.version - a.version)
      .map((v) => {
        const graph = graphs.find((g) => g.id === v.versionId)?.graph as FlowGraph | undefined;
        const nodes = graph?.nodes ?? [];
        const kind = new Map(nodes.map((n) => [n.id, parseTypeRef(n.type)?.type]));
        const step = (id: string) => kind.get(id) === WAIT || kind.get(id) === WAIT_EVENT;
        const out = new Map<string, number>();
        const total = new Map<string, number>();
        const waiting = new Map<string, number>();
        const entered = new Map<string, number>();
        const add = (m: Map<string, number>, k: string, n: number | string | null) => m.set(k, (m.get(k) ?? 0) + Number(n ?? 0));
        const put = (node: string, port: string, n: number | string | null) => {
          add(out, key(node, port), n);
          add(total, node, n);
        };
        for (const p of ports) if (p.versionId === v.versionId && !step(p.nodeId)) put(p.nodeId, p.port, p.n);
        for (const t of timers) {
          if (t.versionId !== v.versionId || kind.get(t.nodeId) !== WAIT) continue;
          put(t.nodeId, "rows", t.passed);
          add(waiting, t.nodeId, t.waiting);
        }
        for (const h of held) {
          if (h.versionId !== v.versionId || kind.get(h.nodeId) !== WAIT_EVENT) continue;
          add(entered, h.nodeId, h.n);
          if ((h.status === "waiting" || h.status === "released") && h.node === "waiting") add(waiting, h.nodeId, h.n);
          for (const [port, status] of Object.entries(EVENT_PORTS)) if (h.status === status) put(h.nodeId, port, h.n);
        }
        return {
          versionId: v.versionId,
          version: v.version,
          activeRuns: Number(v.active),
          nodes: nodes.map((n) => {
            const passedOn = total.get(n.id) ?? 0;
            const inputs = (graph?.edges ?? []).filter((e) => e.target === n.id);
            const fromUpstream = inputs.reduce((sum, e) => sum + (out.get(key(e.source, e.sourceHandle)) ?? 0), 0);
            return {
              id: n.id,
              type: n.type,
              label: n.label ?? null,
              entered: kind.get(n.id) === WAIT_EVENT ? (entered.get(n.id) ?? 0) : inputs.length ? fromUpstream : passedOn,
              waiting: waiting.get(n.id) ?? 0,
              passedOn,
            };
          }),
        };
      });
  });
}
