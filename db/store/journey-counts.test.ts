// journeys.nodeCounts on both backends (a real SQLite file, and a real PostgreSQL server): runs,
// node rows and waiters of a journey written by hand the way the workers write them (a parent run
// holding customers in a wait, its released parts waiting for an event, their parts e-mailing), and
// the counts a marketer sees, worked out by hand.
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { FlowGraph } from "../../workflows/graph/schema";
import type { RunStatus } from "../../workflows/graph/status";
import type { SavedVersion } from "./flows";
import type { NodeRunUpdate } from "./runs";
import { flows, journeys, runs, type Store } from "./index";
import { BACKENDS, bothBackends } from "./test-backends";

const backends = bothBackends("journey-counts");

const NOW = Date.UTC(2026, 4, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString();
const table = (rows: number) => ({ kind: "table", id: `d${rows}`, path: `datasets/d${rows}.parquet`, rows, columns: [] });
const at = { x: 0, y: 0 };
const edge = (source: string, sourceHandle: string, target: string) => ({ source, sourceHandle, target, targetHandle: "rows" });

/** cohort -> pause (wait) -> bought (wait for an event) -> did: thanks, timed out: nudge. */
const journey = (name: string): FlowGraph => ({
  name,
  nodes: [
    { id: "cohort", type: "source.csv-file@1", position: at, config: {} },
    { id: "pause", type: "control.wait@1", label: "Wait 3 days", position: at, config: {} },
    { id: "bought", type: "control.wait-event@1", position: at, config: {} },
    { id: "thanks", type: "action.send-email@1", position: at, config: {} },
    { id: "nudge", type: "action.send-email@1", position: at, config: {} },
  ],
  edges: [edge("cohort", "rows", "pause"), edge("pause", "rows", "bought"), edge("bought", "did", "thanks"), edge("bought", "timedOut", "nudge")],
});
const short = (name: string): FlowGraph => ({
  name,
  nodes: [
    { id: "cohort", type: "source.csv-file@1", position: at, config: {} },
    { id: "thanks", type: "action.send-email@1", position: at, config: {} },
  ],
  edges: [edge("cohort", "rows", "thanks")],
});

/** A run of `v` as the workflow leaves it: the nodes given as written, the others queued (then skipped when it ends). */
async function run(s: Store, v: SavedVersion, runId: string, status: RunStatus, nodes: Record<string, NodeRunUpdate>, parent?: { runId: string; node: string }) {
  const { graph } = await flows.get(s, v.flowId, v.version);
  await runs.create(s, {
    runId,
    flowId: v.flowId,
    flowVersionId: v.versionId,
    flowVersion: v.version,
    triggerKind: "event",
    trigger: { kind: "event", ...(parent ? { parent: { ...parent, part: "1" } } : {}) },
    workflowId: `run-${runId}`,
    temporalUrl: "",
    nodes: graph.nodes.map((n) => ({ id: n.id, type: n.type })),
  });
  await runs.report(s, { runId, status: "running" });
  for (const [id, u] of Object.entries(nodes)) await runs.updateNode(s, runId, id, u);
  if (status !== "running") await runs.report(s, { runId, status });
  // The report stamps the nodes it ends with its own clock; keep the times the test gives.
  for (const [id, u] of Object.entries(nodes)) if (u.finishedAt !== undefined) await runs.updateNode(s, runId, id, { finishedAt: u.finishedAt });
}

/** A wait for an event in `runId` holding customers, so many in each status. */
async function waiters(s: Store, flowId: string, runId: string, counts: Partial<Record<journeys.WaiterStatus, number>>) {
  const waitId = `${runId}:bought`;
  const byStatus = Object.entries(counts).flatMap(([status, n]) => Array.from({ length: n }, () => status as journeys.WaiterStatus));
  const ids = byStatus.map((_, i) => `${runId}-c${i}`);
  await journeys.hold(
    s,
    { id: waitId, runId, nodeId: "bought", flowId, workflowId: `run-${runId}`, event: "Order Completed", conditions: [], match: "all", since: NOW - 60_000, deadline: NOW + 86_400_000 },
    ids.map((customerId) => ({ customerId, profileId: null })),
  );
  // The pump releases and the run takes; here the statuses are simply set.
  for (const status of new Set(byStatus)) {
    const mine = ids.filter((_, i) => byStatus[i] === status);
    await s.use((q) => q.update(s.t.waiters).set({ status }).where(and(eq(s.t.waiters.waitId, waitId), inArray(s.t.waiters.customerId, mine))));
  }
}

describe.each(BACKENDS)("journey counts on %s", (backend) => {
  it("counts, per live version and node, the customers entered, waiting now and passed on", async () => {
    const s = backends[backend]!;
    const v1 = await flows.saveVersion(s, journey("Win back"), { flowId: "win-back" });
    const v2 = await flows.saveVersion(s, short("Win back"), { flowId: "win-back" });
    const v3 = await flows.saveVersion(s, journey("Win back (v3)"), { flowId: "win-back" });
    const other = await flows.saveVersion(s, journey("Other"), { flowId: "other" });
    expect(await journeys.nodeCounts(s, "win-back", NOW)).toEqual([]);

    // v1, parent run still running: 100 customers in; the wait released 30 and 20, holds 50 until tomorrow.
    await run(s, v1, "r1", "running", {
      cohort: { status: "succeeded", rows: 100, outputs: { rows: table(100) } },
      pause: { status: "waiting", metrics: { customers: 100, parts: 3, schedule: [{ at: iso(NOW - 7_200_000), customers: 30 }, { at: iso(NOW - 60_000), customers: 20 }, { at: iso(NOW + 86_400_000), customers: 50 }] } },
    });
    // The part of 30 waits for an order: 22 waiting, 4 released (not yet taken), 4 taken on. The
    // step's own row holds its last take's outputs, which must not count twice.
    await run(s, v1, "r1.pause.1", "running", { bought: { status: "waiting", rows: 4, outputs: { did: table(4) }, metrics: { did: 4 } } }, { runId: "r1", node: "pause" });
    await waiters(s, "win-back", "r1.pause.1", { waiting: 22, released: 4, taken: 4 });
    await run(s, v1, "r1.pause.1.bought.1", "succeeded", { thanks: { status: "succeeded", rows: 4, outputs: { rows: table(4), report: { kind: "model", id: "m" } } } }, { runId: "r1.pause.1", node: "bought" });
    // The part of 20 is done: 5 ordered, 15 timed out.
    await run(s, v1, "r1.pause.2", "succeeded", { bought: { status: "succeeded", rows: 15, outputs: { timedOut: table(15) } } }, { runId: "r1", node: "pause" });
    await waiters(s, "win-back", "r1.pause.2", { taken: 5, "timed out": 15 });
    await run(s, v1, "r1.pause.2.bought.1", "succeeded", { thanks: { status: "succeeded", rows: 5, outputs: { rows: table(5) } } }, { runId: "r1.pause.2", node: "bought" });
    await run(s, v1, "r1.pause.2.bought.2", "succeeded", { nudge: { status: "succeeded", rows: 15, outputs: { rows: table(15) } } }, { runId: "r1.pause.2", node: "bought" });
    // v1, a run cancelled 5 s ago: of its 10 customers the part of 6 had gone on (its 6 still
    // waiting for an order, but nobody holds them now), the part of 4 was due after the cancel.
    await run(s, v1, "r2", "cancelled", {
      cohort: { status: "succeeded", rows: 10, outputs: { rows: table(10) } },
      pause: { status: "waiting", finishedAt: NOW - 5_000, metrics: { customers: 10, parts: 2, schedule: [{ at: iso(NOW - 10_000), customers: 6 }, { at: iso(NOW - 1_000), customers: 4 }] } },
    });
    await run(s, v1, "r2.pause.1", "cancelled", { bought: { status: "waiting" } }, { runId: "r2", node: "pause" });
    await waiters(s, "win-back", "r2.pause.1", { waiting: 6 });
    // v2: one run, sending now. v3: finished runs only, so not live.
    await run(s, v2, "r3", "running", { cohort: { status: "succeeded", rows: 7, outputs: { rows: table(7) } }, thanks: { status: "running" } });
    await run(s, v3, "r4", "succeeded", { cohort: { status: "succeeded", rows: 9, outputs: { rows: table(9) } } });
    // Another flow's live journey is not this one's.
    await run(s, other, "o1", "running", {
      cohort: { status: "succeeded", rows: 1000, outputs: { rows: table(1000) } },
      pause: { status: "waiting", metrics: { customers: 1000, schedule: [{ at: iso(NOW + 60_000), customers: 1000 }] } },
    });
    await run(s, other, "o1.pause.1", "running", { bought: { status: "waiting" } }, { runId: "o1", node: "pause" });
    await waiters(s, "other", "o1.pause.1", { waiting: 3 });

    const counts = await journeys.nodeCounts(s, "win-back", NOW);
    const nodes = (i: number) => Object.fromEntries(counts[i]!.nodes.map(({ id, entered, waiting, passedOn }) => [id, { entered, waiting, passedOn }]));
    expect(counts.map(({ versionId, version, activeRuns }) => ({ versionId, version, activeRuns }))).toEqual([
      { versionId: v2.versionId, version: 2, activeRuns: 1 },
      { versionId: v1.versionId, version: 1, activeRuns: 2 },
    ]);
    expect(counts[1]!.nodes.map((n) => [n.id, n.type, n.label])).toEqual([
      ["cohort", "source.csv-file@1", null],
      ["pause", "control.wait@1", "Wait 3 days"],
      ["bought", "control.wait-event@1", null],
      ["thanks", "action.send-email@1", null],
      ["nudge", "action.send-email@1", null],
    ]);
    expect(nodes(1)).toEqual({
      // No input: what it passed on (100 + 10).
      cohort: { entered: 110, waiting: 0, passedOn: 110 },
      // r1: 30 + 20 gone on, 50 due tomorrow; r2: 6 gone on before the cancel.
      pause: { entered: 110, waiting: 50, passedOn: 56 },
      // Waiters 30 + 20 + 6; waiting 22 + 4 released in the step still holding them; 4 + 5 did it, 15 timed out.
      bought: { entered: 56, waiting: 26, passedOn: 24 },
      thanks: { entered: 9, waiting: 0, passedOn: 9 },
      nudge: { entered: 15, waiting: 0, passedOn: 15 },
    });
    expect(nodes(0)).toEqual({ cohort: { entered: 7, waiting: 0, passedOn: 7 }, thanks: { entered: 7, waiting: 0, passedOn: 0 } });

    // Tomorrow the last part of r1 has gone on (and the step still says waiting until its run's report).
    const later = await journeys.nodeCounts(s, "win-back", NOW + 2 * 86_400_000);
    expect(later[1]!.nodes.find((n) => n.id === "pause")).toMatchObject({ entered: 110, waiting: 0, passedOn: 106 });
    expect(later[1]!.nodes.find((n) => n.id === "bought")).toMatchObject({ entered: 56, passedOn: 24 });
  });
});
