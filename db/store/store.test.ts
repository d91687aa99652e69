// The control-plane store on both backends: the same tests against a real SQLite file and a real
// PostgreSQL server (Debian's package, started for this file). Times, JSON and errors must mean the
// same on both, and concurrent writers must not lose or duplicate anything.
import { beforeEach, describe, expect, it } from "vitest";
import { isAppError } from "../../lib/errors";
import type { FlowGraph } from "../../workflows/graph/schema";
import { datasets, files, flows, models, runs, type Store } from "./index";
import { bothBackends } from "./test-backends";

const graph = (name: string, nodes = 0): FlowGraph => ({
  name,
  nodes: Array.from({ length: nodes }, (_, i) => ({ id: `n${i}`, type: "control.passthrough@1", position: { x: i, y: 0 }, config: { flag: true, list: [1, "two", null] } })),
  edges: [],
});

async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error & { code?: string };
}

async function startedRun(s: Store, flowId: string, runId: string, nodeIds = ["a", "b", "c"]) {
  const saved = await flows.get(s, flowId);
  await runs.create(s, {
    runId,
    flowId,
    flowVersionId: saved.versionId,
    flowVersion: saved.version,
    triggerKind: "manual",
    workflowId: `run-${runId}`,
    temporalUrl: `http://temporal/${runId}`,
    nodes: nodeIds.map((id) => ({ id, type: "control.passthrough@1" })),
  });
}

const backends = bothBackends("store");

describe.each(["sqlite", "postgres"])("store on %s", (backend) => {
  let s: Store;
  beforeEach(async () => {
    s = backends[backend]!;
    // Children first; every test starts from empty tables.
    await s.use(async (q) => {
      for (const table of [s.t.nodeRuns, s.t.runs, s.t.flowVersions, s.t.flows, s.t.models, s.t.datasets, s.t.files]) await q.delete(table);
    });
  });

  it("opens the backend it was asked for", () => {
    expect(s.dialect).toBe(backend);
  });

  it("numbers versions, keeps an unchanged graph's version, and refuses a stale save", async () => {
    const first = await flows.saveVersion(s, graph("Churn", 2));
    expect(first).toEqual({ flowId: "churn", version: 1, versionId: "churn@1", created: true, problems: null, latestValidVersion: 1 });
    expect(await flows.saveVersion(s, graph("Churn", 2))).toMatchObject({ version: 1, created: false });
    expect(await flows.saveVersion(s, graph("Churn", 3), { expectedVersion: 1 })).toMatchObject({ version: 2, created: true });
    const stale = await failure(flows.saveVersion(s, graph("Churn", 4), { expectedVersion: 1 }));
    expect(isAppError(stale) && stale.code).toBe("CONFLICT");
    expect(stale.message).toContain("the latest is 2");

    const latest = await flows.get(s, "churn");
    expect(latest.version).toBe(2);
    expect(latest.graph.nodes).toHaveLength(3);
    // JSON comes back as it went in: booleans, nulls, nested arrays.
    expect(latest.graph.nodes[0]!.config).toEqual({ flag: true, list: [1, "two", null] });
    expect((await flows.get(s, "churn", 1)).graph.nodes).toHaveLength(2);
    const missing = await failure(flows.get(s, "churn", 9));
    expect(isAppError(missing) && missing.code).toBe("NOT_FOUND");
    expect(missing.message).toBe('Flow "churn" has no version 9');
    expect((await failure(flows.get(s, "nope"))).message).toBe('No flow "nope"');
  });

  it("stores times as epoch milliseconds, as numbers", async () => {
    const before = Date.now();
    await flows.create(s, graph("Timed"));
    const { flow, savedAt } = await flows.get(s, "timed");
    for (const t of [flow.createdAt, flow.updatedAt, savedAt]) {
      expect(typeof t).toBe("number");
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(Date.now());
    }
  });

  it("gives creates of the same name distinct ids, also when they race", async () => {
    const made = await Promise.all(Array.from({ length: 6 }, () => flows.create(s, graph("Win back"))));
    expect(made.map((m) => m.flowId).sort()).toEqual(["win-back", "win-back-2", "win-back-3", "win-back-4", "win-back-5", "win-back-6"]);
  });

  it("gives concurrent saves of one flow consecutive versions, none lost", async () => {
    await flows.saveVersion(s, graph("Busy", 0));
    const saved = await Promise.all(Array.from({ length: 8 }, (_, i) => flows.saveVersion(s, graph("Busy", i + 1), { flowId: "busy" })));
    expect(saved.map((v) => v.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await flows.get(s, "busy")).version).toBe(9);
  });

  it("lists flows newest edit first with node counts and each one's newest run", async () => {
    await flows.saveVersion(s, graph("Old", 1));
    await flows.saveVersion(s, graph("New", 4));
    await startedRun(s, "old", "r1");
    await startedRun(s, "old", "r2");
    await runs.report(s, { runId: "r2", status: "failed", error: "boom" });
    const listed = await flows.list(s);
    expect(listed.map((f) => [f.id, f.nodeCount, f.lastRun?.id ?? null, f.lastRun?.status ?? null])).toEqual([
      ["new", 4, null, null],
      ["old", 1, "r2", "failed"],
    ]);
  });

  it("refuses to delete a flow with an active run, then deletes it with its versions and runs", async () => {
    await flows.saveVersion(s, graph("Gone", 1));
    await flows.saveVersion(s, graph("Gone", 2), { flowId: "gone" });
    await startedRun(s, "gone", "g1");
    const busy = await failure(flows.remove(s, "gone"));
    expect(isAppError(busy) && busy.code).toBe("PRECONDITION_FAILED");
    expect(busy.message).toContain("has a queued run (g1)");
    await runs.report(s, { runId: "g1", status: "succeeded" });
    expect(await flows.remove(s, "gone")).toEqual({ flowId: "gone", versions: 2, runs: 1 });
    expect((await failure(flows.get(s, "gone"))).message).toBe('No flow "gone"');
    expect((await failure(runs.get(s, "g1"))).message).toBe('No run "g1"');
  });

  it("records what workers report, and settles unfinished nodes when the run ends", async () => {
    await flows.saveVersion(s, graph("Report", 3));
    await startedRun(s, "report", "run-a");
    await runs.report(s, { runId: "run-a", status: "running" });
    await runs.updateNode(s, "run-a", "a", { status: "running", attempt: 1, worker: "1@host", startedAt: 1000, progress: { fraction: 0.5, message: "half" } });
    await runs.updateNode(s, "run-a", "a", {
      status: "succeeded",
      finishedAt: 2000,
      rows: 7043,
      metrics: { rocAuc: 0.845, balanced: false, classes: ["No", "Yes"] },
      outputs: { rows: { kind: "table", id: "ds_1", path: "datasets/ds_1.parquet", rows: 7043, columns: [] } },
      progress: null,
    });
    await runs.updateNode(s, "run-a", "b", { status: "running", attempt: 2, startedAt: 1500 });
    await runs.report(s, { runId: "run-a", status: "cancelled", error: "Cancelled", nodes: [{ id: "b", status: "cancelled" }] });

    const { run, nodes } = await runs.get(s, "run-a");
    expect(run).toMatchObject({ status: "cancelled", error: "Cancelled", flowName: "Report", flowVersion: 1 });
    expect(typeof run.startedAt).toBe("number");
    expect(run.finishedAt).toBeGreaterThanOrEqual(run.startedAt!);
    // Started nodes first, in start order; c never started and is marked cancelled with the run.
    expect(nodes.map((n) => [n.nodeId, n.status])).toEqual([
      ["a", "succeeded"],
      ["b", "cancelled"],
      ["c", "cancelled"],
    ]);
    const a = nodes[0]!;
    expect(a).toMatchObject({ worker: "1@host", attempt: 1, rows: 7043, progress: null });
    expect(a.metrics).toEqual({ rocAuc: 0.845, balanced: false, classes: ["No", "Yes"] });
    expect(await runs.node(s, "run-a", "a")).toMatchObject({ rows: 7043 });
    expect((await failure(runs.node(s, "run-a", "zz"))).message).toBe('Run "run-a" has no node "zz"');
    expect((await failure(runs.node(s, "no-run", "a"))).message).toBe('No run "no-run"');

    const listed = await runs.list(s, { flowId: "report" });
    expect(listed.map((r) => [r.id, r.nodes])).toEqual([["run-a", { total: 3, succeeded: 1, failed: 0, running: 0 }]]);
  });

  it("marks nodes still queued as skipped when a run fails", async () => {
    await flows.saveVersion(s, graph("Fails", 2));
    await startedRun(s, "fails", "run-f", ["a", "b"]);
    await runs.report(s, { runId: "run-f", status: "failed", error: "a: bad", nodes: [{ id: "a", status: "failed", error: "bad" }] });
    const { nodes } = await runs.get(s, "run-f");
    expect(Object.fromEntries(nodes.map((n) => [n.nodeId, [n.status, n.error]]))).toEqual({ a: ["failed", "bad"], b: ["skipped", null] });
  });

  it("settles a run whose workflow ended unreported, but never overwrites the workflow's own report", async () => {
    await flows.saveVersion(s, graph("Orphan", 2));
    await startedRun(s, "orphan", "run-o", ["a", "b"]);
    await startedRun(s, "orphan", "run-done", ["a", "b"]);
    await runs.report(s, { runId: "run-done", status: "succeeded" });
    expect(await runs.settleUnreported(s, { runId: "run-o", status: "failed", error: "terminated" })).toBe(true);
    expect(await runs.settleUnreported(s, { runId: "run-done", status: "failed", error: "terminated" })).toBe(false);
    expect((await runs.row(s, "run-o")).status).toBe("failed");
    expect((await runs.get(s, "run-o")).nodes.map((n) => n.status)).toEqual(["skipped", "skipped"]);
    expect(await runs.row(s, "run-done")).toMatchObject({ status: "succeeded", error: null });
  });

  it("numbers model versions, keeps one current, and refuses to archive it", async () => {
    const base = { kind: "binary-classifier/logistic", metrics: { rocAuc: 0.84 }, artifactPath: "models/x.json", inputSchema: [{ name: "tenure", type: "BIGINT" }] };
    const v1 = await models.insert(s, { ...base, id: "m1", name: "churn" });
    const v2 = await models.insert(s, { ...base, id: "m2", name: "churn" });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect((await models.byName(s, "churn")).id).toBe("m1");
    expect(await models.promote(s, "churn", 2)).toEqual({ current: v2, previous: v1 });
    expect((await models.byName(s, "churn")).id).toBe("m2");
    const refused = await failure(models.archive(s, "churn", 2));
    expect(isAppError(refused) && refused.code).toBe("PRECONDITION_FAILED");
    await models.archive(s, "churn", 1);
    expect((await models.pinned(s, "churn", 1)).status).toBe("archived");
    expect((await failure(models.pinned(s, "churn", 7))).message).toBe('Model "churn" has no version 7 (it has versions 1 to 2)');
    expect((await models.byId(s, "m2")).inputSchema).toEqual([{ name: "tenure", type: "BIGINT" }]);
  });

  it("gives concurrent model saves distinct versions and exactly one current", async () => {
    const saved = await Promise.all(
      Array.from({ length: 8 }, (_, i) => models.insert(s, { id: `mc${i}`, name: "race", kind: "k", metrics: {}, artifactPath: `models/mc${i}.json`, inputSchema: null })),
    );
    expect(saved.map((m) => m.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const all = (await models.list(s)).filter((m) => m.name === "race");
    expect(all.filter((m) => m.status === "current")).toHaveLength(1);
  });

  it("records a dataset once however often it is written, and lists newest first", async () => {
    const ds = (id: string) => ({ id, path: `datasets/${id}.parquet`, rows: 3, bytes: 120, columns: [{ name: "k", type: "BIGINT" }], runId: "r", nodeId: "n" });
    await datasets.record(s, ds("ds_a"));
    await datasets.record(s, ds("ds_a"));
    await new Promise((r) => setTimeout(r, 5));
    await datasets.record(s, ds("ds_b"));
    expect(await datasets.total(s)).toBe(2);
    expect((await datasets.list(s)).map((d) => d.id)).toEqual(["ds_b", "ds_a"]);
    expect((await datasets.get(s, "ds_a")).columns).toEqual([{ name: "k", type: "BIGINT" }]);
  });

  it("records uploaded files and finds them by id", async () => {
    const row = await files.record(s, { id: "file_1", name: "telco.csv", path: "uploads/file_1.csv", bytes: 977501, rows: 7043, columns: [{ name: "customerID", type: "VARCHAR" }], format: "csv" });
    expect(typeof row.createdAt).toBe("number");
    expect(await files.get(s, "file_1")).toEqual(row);
    expect((await failure(files.get(s, "file_2"))).message).toBe('No uploaded file with id "file_2"');
  });

  it("rolls a failed transaction back completely", async () => {
    await flows.saveVersion(s, graph("Atomic", 1));
    await failure(
      s.tx(async (q) => {
        await q.update(s.t.flows).set({ name: "Changed" });
        throw new Error("stop half way");
      }),
    );
    expect((await flows.get(s, "atomic")).flow.name).toBe("Atomic");
  });
});
