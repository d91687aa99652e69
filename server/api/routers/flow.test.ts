// The flow router against a real SQLite file and the real node registry, without Next: through
// createCaller (codes and causes), and through the fetch adapter (what a browser receives).
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { openSqliteStore, type Store } from "../../../db/store";
import type { GraphProblem } from "../../../workflows/graph/validate";
import { appRouter, createCaller } from "../root";
import { createTRPCContext } from "../trpc";
import { noTemporal, rejection, asRole } from "./test-support";
import { startRun } from "../../services/flows";
import { loadRegistry } from "../../../nodes/registry";

const graph = (keys: string[] = ["customerID"]) => ({
  name: "Web API test",
  nodes: [
    { id: "customers", type: "source.csv-file@1", position: { x: 0, y: 0 }, config: { path: "examples/data/telco-customer-churn.csv" } },
    { id: "unique", type: "transform.dedupe@1", position: { x: 240, y: 0 }, config: { keys } },
  ],
  edges: [{ id: "e1", source: "customers", sourceHandle: "rows", target: "unique", targetHandle: "rows" }],
});

const invalidGraph = () => {
  const g = graph([]); // dedupe needs at least one key
  g.nodes.push({ id: "ghost", type: "source.nothing@1", position: { x: 0, y: 0 }, config: {} } as never);
  return g;
};

let dir: string;
let db: Store;
/** The same database file, for setting up and checking rows directly. */
let raw: Database.Database;
let caller: ReturnType<typeof createCaller>;
let registry: Awaited<ReturnType<typeof loadRegistry>>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-flow-router-"));
  db = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  raw = new Database(path.join(dir, "loopwright.sqlite"));
  caller = createCaller(await createTRPCContext({ store: db, temporal: noTemporal, principal: asRole("editor") }));
  registry = await loadRegistry();
});

afterAll(async () => {
  raw?.close();
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("flow router", () => {
  it("saves versions: new, unchanged, changed, and refuses a stale one", async () => {
    const first = await caller.flow.save({ graph: graph(), flowId: "web-test" });
    expect(first).toMatchObject({ flowId: "web-test", version: 1, created: true });

    const again = await caller.flow.save({ graph: graph(), flowId: "web-test", expectedVersion: 1 });
    expect(again).toMatchObject({ version: 1, created: false });

    const changed = await caller.flow.save({ graph: graph(["customerID", "gender"]), flowId: "web-test", expectedVersion: 1 });
    expect(changed).toMatchObject({ version: 2, created: true, versionId: "web-test@2" });

    const stale = await rejection(caller.flow.save({ graph: graph(["gender"]), flowId: "web-test", expectedVersion: 1 }));
    expect(stale.code).toBe("CONFLICT");
    expect(stale.message).toMatch(/version 1, the latest is 2/);

    expect((await caller.flow.get({ flowId: "web-test" })).version).toBe(2);
    expect((await caller.flow.get({ flowId: "web-test", version: 1 })).graph.nodes[1]!.config).toEqual({ keys: ["customerID"] });
    expect((await caller.flow.list()).map((f) => [f.id, f.latestVersion])).toEqual([["web-test", 2]]);
  });

  it("rejects an invalid graph with BAD_REQUEST and problems naming the nodes", async () => {
    const err = await rejection(caller.flow.save({ graph: invalidGraph(), flowId: "broken" }));
    expect(err.code).toBe("BAD_REQUEST");
    const problems = (err.cause as { problems?: GraphProblem[] }).problems ?? [];
    expect(problems.map((p) => p.nodeId).sort()).toEqual(["ghost", "unique"]);
    expect(problems.find((p) => p.nodeId === "unique")?.field).toBe("keys");
    await expect(caller.flow.get({ flowId: "broken" })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const checked = await caller.flow.validate({ graph: invalidGraph() });
    expect(checked.ok).toBe(false);
    expect(checked.problems.map((p) => p.nodeId).sort()).toEqual(["ghost", "unique"]);
  });

  it("sends problems to HTTP clients as data, with the right status and no stack", async () => {
    const call = async (procedure: string, input: unknown) => {
      const res = await fetchRequestHandler({
        endpoint: "/api/trpc",
        req: new Request(`http://localhost/api/trpc/${procedure}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(superjson.serialize(input)),
        }),
        router: appRouter,
        createContext: () => createTRPCContext({ store: db, temporal: noTemporal, principal: asRole("editor") }),
      });
      const body = (await res.json()) as { error: Parameters<typeof superjson.deserialize>[0] };
      return { status: res.status, error: superjson.deserialize<{ message: string; data: Record<string, unknown> }>(body.error) };
    };

    const invalid = await call("flow.save", { graph: invalidGraph() });
    expect(invalid.status).toBe(400);
    expect(invalid.error.data.code).toBe("BAD_REQUEST");
    expect((invalid.error.data.problems as GraphProblem[]).map((p) => p.nodeId).sort()).toEqual(["ghost", "unique"]);
    expect(invalid.error.data).not.toHaveProperty("stack");

    const conflict = await call("flow.save", { graph: graph(["SeniorCitizen"]), flowId: "web-test", expectedVersion: 1 });
    expect(conflict.status).toBe(409);
    expect(conflict.error.data.code).toBe("CONFLICT");

    const badInput = await call("flow.save", { graph: graph(), flowId: "Not A Valid Id" });
    expect(badInput.status).toBe(400);
    expect(badInput.error.data.zodError).toMatchObject({ fieldErrors: { flowId: [expect.any(String)] } });
  });
});

/** A run row as the workflow would leave it; the tests only need the bookkeeping, not Temporal. */
function insertRun(flowId: string, version: number, status: "queued" | "running" | "succeeded" | "failed", createdAt: number, nodeIds: string[] = []) {
  const id = `${flowId}-run-${createdAt}`;
  raw
    .prepare("INSERT INTO runs (id, flow_id, flow_version_id, flow_version, status, workflow_id, temporal_url, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
    .run(id, flowId, `${flowId}@${version}`, version, status, `run-${id}`, "http://temporal.test", createdAt, status === "succeeded" || status === "failed" ? createdAt + 500 : null);
  for (const nodeId of nodeIds) {
    raw.prepare("INSERT INTO node_runs (run_id, node_id, type, status) VALUES (?, ?, ?, ?)").run(id, nodeId, "source.csv-file@1", status === "running" ? "running" : "succeeded");
  }
  return id;
}

describe("flow router: create, rename, duplicate, delete", () => {
  it("creates empty flows, giving the same name distinct ids", async () => {
    const a = await caller.flow.create({ name: "  Churn model  " });
    const b = await caller.flow.create({ name: "Churn model" });
    expect(a).toMatchObject({ flowId: "churn-model", version: 1, created: true });
    expect(b).toMatchObject({ flowId: "churn-model-2", version: 1 });
    const opened = await caller.flow.get({ flowId: "churn-model-2" });
    expect(opened.graph).toEqual({ name: "Churn model", nodes: [], edges: [] });
    expect(opened.flow.name).toBe("Churn model");

    const empty = await rejection(caller.flow.create({ name: "   " }));
    expect(empty.code).toBe("BAD_REQUEST");
  });

  it("lists each flow with its node count and newest run", async () => {
    const older = insertRun("web-test", 2, "failed", 1_000);
    const newer = insertRun("web-test", 2, "succeeded", 2_000);
    const list = await caller.flow.list();
    const web = list.find((f) => f.id === "web-test")!;
    expect(web.nodeCount).toBe(2);
    expect(web.lastRun).toEqual({ id: newer, status: "succeeded", createdAt: 2_000, finishedAt: 2_500 });
    expect(web.lastRun?.id).not.toBe(older);
    const empty = list.find((f) => f.id === "churn-model")!;
    expect(empty).toMatchObject({ nodeCount: 0, lastRun: null, latestVersion: 1 });
  });

  it("renames as a new version, and refuses a stale rename", async () => {
    const renamed = await caller.flow.rename({ flowId: "churn-model", name: "Churn scoring", expectedVersion: 1 });
    expect(renamed).toMatchObject({ flowId: "churn-model", version: 2, created: true });
    expect((await caller.flow.get({ flowId: "churn-model" })).graph.name).toBe("Churn scoring");
    expect((await caller.flow.get({ flowId: "churn-model", version: 1 })).graph.name).toBe("Churn model");
    expect((await caller.flow.list()).find((f) => f.id === "churn-model")?.name).toBe("Churn scoring");

    const stale = await rejection(caller.flow.rename({ flowId: "churn-model", name: "Something else", expectedVersion: 1 }));
    expect(stale.code).toBe("CONFLICT");
    expect((await caller.flow.get({ flowId: "churn-model" })).flow.name).toBe("Churn scoring");

    const missing = await rejection(caller.flow.rename({ flowId: "no-such-flow", name: "X" }));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toMatch(/No flow "no-such-flow"/);
  });

  it("duplicates the latest graph as a new flow", async () => {
    const source = await caller.flow.get({ flowId: "web-test" });
    const copy = await caller.flow.duplicate({ flowId: "web-test" });
    expect(copy).toMatchObject({ flowId: "web-api-test-copy", version: 1 });
    const opened = await caller.flow.get({ flowId: copy.flowId });
    expect(opened.flow.name).toBe("Web API test (copy)");
    expect(opened.graph.nodes).toEqual(source.graph.nodes);
    expect(opened.graph.edges).toEqual(source.graph.edges);
    expect((await caller.flow.get({ flowId: "web-test" })).version).toBe(source.version);

    const again = await caller.flow.duplicate({ flowId: "web-test" });
    expect(again.flowId).toBe("web-api-test-copy-2");
  });

  it("deletes a flow with its versions, runs and node runs, and nothing else", async () => {
    const copy = await caller.flow.duplicate({ flowId: "web-test" });
    const runId = insertRun(copy.flowId, 1, "succeeded", 3_000, ["customers", "unique"]);
    const count = (sql: string, arg: string) => (raw.prepare(sql).get(arg) as { n: number }).n;
    const otherRuns = count("SELECT count(*) AS n FROM runs WHERE flow_id = ?", "web-test");

    expect(await caller.flow.delete({ flowId: copy.flowId })).toEqual({ flowId: copy.flowId, versions: 1, runs: 1 });
    expect((await rejection(caller.flow.get({ flowId: copy.flowId }))).code).toBe("NOT_FOUND");
    expect(count("SELECT count(*) AS n FROM flow_versions WHERE flow_id = ?", copy.flowId)).toBe(0);
    expect(count("SELECT count(*) AS n FROM runs WHERE id = ?", runId)).toBe(0);
    expect(count("SELECT count(*) AS n FROM node_runs WHERE run_id = ?", runId)).toBe(0);
    expect(count("SELECT count(*) AS n FROM runs WHERE flow_id = ?", "web-test")).toBe(otherRuns);
    expect((await caller.flow.list()).some((f) => f.id === copy.flowId)).toBe(false);

    expect((await rejection(caller.flow.delete({ flowId: copy.flowId }))).code).toBe("NOT_FOUND");
  });

  it("refuses to delete a flow while a run of it is running", async () => {
    const { flowId } = await caller.flow.create({ name: "Busy flow" });
    const runId = insertRun(flowId, 1, "running", 4_000, ["customers"]);

    const refused = await rejection(caller.flow.delete({ flowId }));
    expect(refused.code).toBe("PRECONDITION_FAILED");
    expect(refused.message).toContain(runId);
    expect(refused.message).toMatch(/running run/);
    expect((await caller.flow.get({ flowId })).flow.id).toBe(flowId);
    expect(raw.prepare("SELECT count(*) AS n FROM node_runs WHERE run_id = ?").get(runId)).toEqual({ n: 1 });

    raw.prepare("UPDATE runs SET status = 'cancelled', finished_at = 5000 WHERE id = ?").run(runId);
    expect(await caller.flow.delete({ flowId })).toMatchObject({ runs: 1 });
  });
});

describe("flow router: live counts", () => {
  it("gives a viewer the counts per node of the versions with runs going, and nothing for a flow at rest", async () => {
    const viewer = createCaller(await createTRPCContext({ store: db, temporal: noTemporal, principal: asRole("viewer") }));
    expect(await viewer.flow.liveCounts({ flowId: "churn-model" })).toEqual([]);

    const runId = insertRun("web-test", 2, "running", 6_000, ["customers", "unique"]);
    const table = JSON.stringify({ rows: { kind: "table", id: "d", path: "datasets/d.parquet", rows: 12, columns: [] } });
    raw.prepare("UPDATE node_runs SET status = 'succeeded', rows = 12, outputs = ? WHERE run_id = ? AND node_id = 'customers'").run(table, runId);
    const [live, ...more] = await viewer.flow.liveCounts({ flowId: "web-test" });
    expect(more).toEqual([]);
    expect(live).toMatchObject({ versionId: "web-test@2", version: 2, activeRuns: 1 });
    expect(live!.nodes.map(({ id, entered, waiting, passedOn }) => ({ id, entered, waiting, passedOn }))).toEqual([
      { id: "customers", entered: 12, waiting: 0, passedOn: 12 },
      { id: "unique", entered: 12, waiting: 0, passedOn: 0 },
    ]);
  });
});

describe("flow router: drafts and version history", () => {
  // The CSV source's skip rows holding text: the graph parses, so it can be kept as a draft.
  const draftGraph = (name = "Drafty") => {
    const g = graph();
    g.name = name;
    (g.nodes[0]!.config as Record<string, unknown>).skipRows = "abc";
    return g;
  };
  const withTrigger = (g: ReturnType<typeof graph>) => ({
    ...g,
    nodes: [...g.nodes, { id: "orders", type: "trigger.event@1", position: { x: 0, y: 200 }, config: { event: "Order" } }],
  });

  it("saves a graph with problems as a draft when asked (refused otherwise), exactly as sent, and says who saved it", async () => {
    const refused = await rejection(caller.flow.save({ graph: draftGraph(), flowId: "drafty" }));
    expect(refused.code).toBe("BAD_REQUEST");

    const v1 = await caller.flow.save({ graph: withTrigger(graph()), flowId: "drafty" });
    expect(v1).toMatchObject({ version: 1, problems: null, latestValidVersion: 1, trigger: { kind: "event", version: 1 } });

    const v2 = await caller.flow.save({ graph: withTrigger(draftGraph()), flowId: "drafty", expectedVersion: 1, draft: true });
    expect(v2).toMatchObject({ version: 2, created: true, latestValidVersion: 1, problems: [{ nodeId: "customers", field: "skipRows", message: 'skipRows: "abc" is not a number' }] });
    // The trigger keeps starting version 1, the latest without problems.
    expect(v2.trigger).toEqual({ kind: "event", version: 1 });

    const opened = await caller.flow.get({ flowId: "drafty" });
    expect(opened).toMatchObject({ version: 2, latestValidVersion: 1, createdBy: "test-editor", trigger: { kind: "event", version: 1 } });
    expect(opened.graph.nodes[0]!.config).toEqual({ path: "examples/data/telco-customer-churn.csv", skipRows: "abc" });
    expect(opened.problems).toHaveLength(1);
    expect((await caller.flow.list()).find((f) => f.id === "drafty")).toMatchObject({ latestVersion: 2, draftProblems: 1, latestValidVersion: 1 });

    // A graph that cannot be parsed (no name) is not a draft either.
    const nameless = await rejection(caller.flow.save({ graph: { ...draftGraph(), name: "  " }, flowId: "drafty", expectedVersion: 2, draft: true }));
    expect(nameless.code).toBe("BAD_REQUEST");
    expect((nameless.cause as { problems?: GraphProblem[] }).problems?.[0]).toMatchObject({ field: "name", message: "a flow needs a name" });
    expect((await caller.flow.get({ flowId: "drafty" })).version).toBe(2);
  });

  it("never runs a draft: refused by name before Temporal is asked", async () => {
    const err = await rejection(caller.run.start({ flowId: "drafty" }));
    expect(err.code).toBe("PRECONDITION_FAILED");
    expect(err.message).toBe(
      'Version 2 of flow "Drafty" (drafty) is a draft with 1 problem and never runs. customers › skipRows: "abc" is not a number. Fix it and save, or run version 1, the latest without problems.',
    );
    expect((await rejection(caller.run.start({ flowId: "drafty", version: 2 }))).code).toBe("PRECONDITION_FAILED");
  });

  it("never starts a draft for a trigger either: startRun (the pump's way in) refuses it with the same words, before Temporal", async () => {
    const refused = await startRun(db, registry, {} as never, {} as never, { versionId: "drafty@2", runId: "cohort-1", trigger: { kind: "event" } }).then(
      () => null,
      (e: unknown) => e as { code?: string; message?: string },
    );
    expect(refused?.code).toBe("PRECONDITION_FAILED");
    expect(refused?.message).toMatch(/^Version 2 of flow "Drafty" \(drafty\) is a draft with 1 problem and never runs\./);
    expect(raw.prepare("SELECT count(*) AS n FROM runs WHERE id = 'cohort-1'").get()).toEqual({ n: 0 });
  });

  it("lists versions with who saved them, and restores an old one as the newest (with the conflict check)", async () => {
    await caller.flow.save({ graph: graph(["customerID", "gender"]), flowId: "drafty", expectedVersion: 2 }); // 3, no trigger
    const viewer = createCaller(await createTRPCContext({ store: db, temporal: noTemporal, principal: asRole("viewer") }));
    const list = await viewer.flow.versions({ flowId: "drafty" });
    expect(list.map((v) => [v.version, v.problems?.length ?? 0, v.savedBy && "id" in v.savedBy ? v.savedBy.id : null])).toEqual([
      [3, 0, "test-editor"],
      [2, 1, "test-editor"],
      [1, 0, "test-editor"],
    ]);

    const stale = await rejection(caller.flow.restore({ flowId: "drafty", version: 1, expectedVersion: 2 }));
    expect(stale.code).toBe("CONFLICT");

    const restored = await caller.flow.restore({ flowId: "drafty", version: 1, expectedVersion: 3 });
    expect(restored).toMatchObject({ version: 4, created: true, problems: null, latestValidVersion: 4, trigger: { kind: "event", version: 4 } });
    const v1 = await caller.flow.get({ flowId: "drafty", version: 1 });
    const v4 = await caller.flow.get({ flowId: "drafty", version: 4 });
    expect(v4.graph).toEqual(v1.graph);
    expect(v4.createdBy).toBe("test-editor");

    // Restoring the draft makes a draft again.
    expect(await caller.flow.restore({ flowId: "drafty", version: 2, expectedVersion: 4 })).toMatchObject({ version: 5, latestValidVersion: 4, trigger: { kind: "event", version: 4 } });
    expect((await caller.flow.get({ flowId: "drafty" })).problems).toHaveLength(1);
    expect((await rejection(caller.flow.restore({ flowId: "drafty", version: 9, expectedVersion: 5 }))).code).toBe("NOT_FOUND");
  });

  it("lets a viewer read the history but not save, restore or run", async () => {
    const viewer = createCaller(await createTRPCContext({ store: db, temporal: noTemporal, principal: asRole("viewer") }));
    expect((await viewer.flow.versions({ flowId: "drafty" })).length).toBe(5);
    expect((await rejection(viewer.flow.restore({ flowId: "drafty", version: 1, expectedVersion: 5 }))).code).toBe("FORBIDDEN");
    expect((await rejection(viewer.flow.save({ graph: graph(), flowId: "drafty", expectedVersion: 5, draft: true }))).code).toBe("FORBIDDEN");
    expect((await rejection(viewer.run.start({ flowId: "drafty" }))).code).toBe("FORBIDDEN");
    expect((await caller.flow.get({ flowId: "drafty" })).version).toBe(5);
  });
});
