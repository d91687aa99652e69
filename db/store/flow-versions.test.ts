// Drafts and version history in the store, on a real SQLite file and a real PostgreSQL server:
// a draft keeps its problems and its bad values, the latest version without problems is known,
// and every version says who saved it.
import { beforeEach, describe, expect, it } from "vitest";
import type { FlowGraph } from "../../workflows/graph/schema";
import { flows, type Store } from "./index";
import { bothBackends } from "./test-backends";

const graph = (name: string, skipRows: unknown): FlowGraph => ({
  name,
  nodes: [{ id: "csv", type: "source.csv-file@1", position: { x: 0, y: 0 }, config: { path: "a.csv", skipRows } }],
  edges: [],
});
const problem = { nodeId: "csv", field: "skipRows", message: 'skipRows: "abc" is not a number' };

const backends = bothBackends("flow-versions");

describe.each(["sqlite", "postgres"])("flow versions on %s", (backend) => {
  let s: Store;
  beforeEach(async () => {
    s = backends[backend]!;
    await s.use(async (q) => {
      for (const table of [s.t.nodeRuns, s.t.runs, s.t.flowVersions, s.t.flows, s.t.users]) await q.delete(table);
    });
  });

  it("keeps a draft with its problems and its values as typed, and knows the latest version without problems", async () => {
    const v1 = await flows.saveVersion(s, graph("Drafts", 1), { flowId: "drafts", createdBy: "u1" });
    expect(v1).toEqual({ flowId: "drafts", version: 1, versionId: "drafts@1", created: true, problems: null, latestValidVersion: 1 });

    const v2 = await flows.saveVersion(s, graph("Drafts", "abc"), { flowId: "drafts", expectedVersion: 1, problems: [problem], createdBy: "u1" });
    expect(v2).toEqual({ flowId: "drafts", version: 2, versionId: "drafts@2", created: true, problems: [problem], latestValidVersion: 1 });

    const latest = await flows.get(s, "drafts");
    expect(latest.version).toBe(2);
    expect(latest.graph.nodes[0]!.config).toEqual({ path: "a.csv", skipRows: "abc" });
    expect(latest.problems).toEqual([problem]);
    expect(latest.createdBy).toBe("u1");
    expect(latest.latestValidVersion).toBe(1);
    const first = await flows.get(s, "drafts", 1);
    expect(first.problems).toBeNull();
    expect((await flows.getVersion(s, "drafts@2")).problems).toEqual([problem]);

    // The same draft again: no new version. The same graph without problems is a new version.
    expect(await flows.saveVersion(s, graph("Drafts", "abc"), { flowId: "drafts", expectedVersion: 2, problems: [problem] })).toMatchObject({ version: 2, created: false, problems: [problem], latestValidVersion: 1 });
    // An empty list of problems is no problems.
    const v3 = await flows.saveVersion(s, graph("Drafts", 3), { flowId: "drafts", expectedVersion: 2, problems: [] });
    expect(v3).toMatchObject({ version: 3, created: true, problems: null, latestValidVersion: 3 });
    expect((await flows.get(s, "drafts")).latestValidVersion).toBe(3);
  });

  it("a flow whose only version is a draft has no version to run", async () => {
    const v1 = await flows.create(s, graph("Only draft", "x"), { problems: [problem], createdBy: null });
    expect(v1).toMatchObject({ flowId: "only-draft", version: 1, problems: [problem], latestValidVersion: null });
    expect((await flows.get(s, "only-draft")).latestValidVersion).toBeNull();
  });

  it("lists the versions newest first with who saved them (unknown before it was recorded, or removed)", async () => {
    const now = new Date();
    await s.use(async (q) => {
      await q.insert(s.t.users).values({ id: "u1", name: "Ada Lovelace", email: "ada@example.com", role: "editor", createdAt: now, updatedAt: now });
    });
    await flows.saveVersion(s, graph("History", 1), { flowId: "history" }); // no user: saved before users were recorded
    await flows.saveVersion(s, graph("History", "abc"), { flowId: "history", problems: [problem], createdBy: "u1" });
    await flows.saveVersion(s, graph("History v3", 2), { flowId: "history", createdBy: "gone" });
    const list = await flows.versions(s, "history");
    expect(list.map(({ savedAt, ...v }) => (expect(savedAt).toBeGreaterThan(0), v))).toEqual([
      { version: 3, versionId: "history@3", name: "History v3", nodeCount: 1, savedBy: { id: "gone", removed: true }, problems: null },
      { version: 2, versionId: "history@2", name: "History", nodeCount: 1, savedBy: { id: "u1", name: "Ada Lovelace", email: "ada@example.com" }, problems: [problem] },
      { version: 1, versionId: "history@1", name: "History", nodeCount: 1, savedBy: null, problems: null },
    ]);
    await expect(flows.versions(s, "nope")).rejects.toMatchObject({ code: "NOT_FOUND", message: 'No flow "nope"' });
  });

  it("marks flows whose latest version is a draft in the list, with the version that still runs", async () => {
    await flows.saveVersion(s, graph("Clean", 1), { flowId: "clean" });
    await flows.saveVersion(s, graph("Dirty", 1), { flowId: "dirty" });
    await flows.saveVersion(s, graph("Dirty", 2), { flowId: "dirty" });
    await flows.saveVersion(s, graph("Dirty", "abc"), { flowId: "dirty", problems: [problem, { ...problem, field: "path" }] });
    await flows.create(s, graph("Never valid", "x"), { problems: [problem] });
    const byId = Object.fromEntries((await flows.list(s)).map((f) => [f.id, { latest: f.latestVersion, drafts: f.draftProblems, runs: f.latestValidVersion }]));
    expect(byId).toEqual({
      clean: { latest: 1, drafts: 0, runs: 1 },
      dirty: { latest: 3, drafts: 2, runs: 2 },
      "never-valid": { latest: 1, drafts: 1, runs: null },
    });
  });
});
