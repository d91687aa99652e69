// overview.figures on both backends (a real SQLite file and a real PostgreSQL server): runs,
// ledger rows and waiters written by hand, and the home page's figures worked out by hand.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { FlowGraph } from "../../workflows/graph/schema";
import type { RunStatus } from "../../workflows/graph/status";
import { flows, journeys, ledger, overview, runs, type Store } from "./index";
import { BACKENDS, bothBackends } from "./test-backends";

const backends = bothBackends("overview");
const NOW = Date.UTC(2026, 10, 20, 12);
const DAY = 86_400_000;
const graph = (name: string): FlowGraph => ({ name, nodes: [{ id: "mail", type: "action.send-email@1", position: { x: 0, y: 0 }, config: {} }], edges: [] });

async function run(s: Store, flowId: string, runId: string, status: RunStatus, createdAt: number) {
  const v = await flows.get(s, flowId);
  await runs.create(s, {
    runId,
    flowId,
    flowVersionId: v.versionId,
    flowVersion: v.version,
    triggerKind: "manual",
    trigger: { kind: "manual" },
    workflowId: `run-${runId}`,
    temporalUrl: "",
    nodes: [{ id: "mail", type: "action.send-email@1" }],
  });
  if (status !== "queued") await runs.report(s, { runId, status });
  await s.use((q) => q.update(s.t.runs).set({ createdAt }).where(eq(s.t.runs.id, runId)));
}

function sent(runId: string, customerId: string, status: "sent" | "suppressed" | "failed", at: number) {
  return { key: `${runId}:mail:${customerId}`, runId, flowId: "a", flowVersion: 1, nodeId: "mail", channel: "email", customerId, profileId: null, status, reason: null, content: null, model: null, arm: null, providerId: null, at };
}

describe.each(BACKENDS)("home page figures on %s", (backend) => {
  it("counts runs and failures since a time, customers reached, live flows and customers waiting for an event", async () => {
    const s = backends[backend]!;
    expect(await overview.figures(s, NOW - 7 * DAY)).toEqual({ runs: { started: 0, failed: 0 }, customersReached: 0, liveFlows: 0, waitingForEvent: 0 });

    await flows.saveVersion(s, graph("A"), { flowId: "a" });
    await flows.saveVersion(s, graph("B"), { flowId: "b" });
    // Within the week: 3 runs of a (one failed, one still running), 1 of b queued. Before it: 1 failed run of b.
    await run(s, "a", "a1", "succeeded", NOW - 2 * DAY);
    await run(s, "a", "a2", "failed", NOW - DAY);
    await run(s, "a", "a3", "running", NOW - 60_000);
    await run(s, "b", "b1", "queued", NOW - 30_000);
    await run(s, "b", "b0", "failed", NOW - 30 * DAY);
    // Ledger: c1 sent twice, c2 sent once, c3 only suppressed, c4 failed, c5 sent but 30 days ago.
    await ledger.record(s, [
      sent("a1", "c1", "sent", NOW - 2 * DAY),
      sent("a2", "c1", "sent", NOW - DAY),
      sent("a1", "c2", "sent", NOW - 2 * DAY),
      sent("a1", "c3", "suppressed", NOW - 2 * DAY),
      sent("a2", "c4", "failed", NOW - DAY),
      sent("b0", "c5", "sent", NOW - 30 * DAY),
    ]);
    // a3 holds 4 customers in a wait for an event, 1 of them already released; a closed wait's waiters do not count.
    const wait = (id: string) => ({ id, runId: "a3", nodeId: "mail", flowId: "a", workflowId: "run-a3", event: "Order Completed", conditions: [], match: "all" as const, since: NOW - DAY, deadline: NOW + DAY });
    await journeys.hold(s, wait("a3:open"), ["w1", "w2", "w3", "w4"].map((customerId) => ({ customerId, profileId: null })));
    await s.use((q) => q.update(s.t.waiters).set({ status: "released" }).where(eq(s.t.waiters.customerId, "w4")));
    await journeys.hold(s, wait("a3:closed"), ["x1", "x2"].map((customerId) => ({ customerId, profileId: null })));
    await journeys.close(s, "a3:closed");

    expect(await overview.figures(s, NOW - 7 * DAY)).toEqual({ runs: { started: 4, failed: 1 }, customersReached: 2, liveFlows: 2, waitingForEvent: 3 });
    expect((await overview.figures(s, NOW - 60 * DAY)).runs).toEqual({ started: 5, failed: 2 });
    expect((await overview.figures(s, NOW - 60 * DAY)).customersReached).toBe(3);
  });
});
