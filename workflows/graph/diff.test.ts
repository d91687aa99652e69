// The version diff, with expected values worked out by hand from the two graphs.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineNode } from "../../nodes/sdk";
import { NodeRegistry } from "../../nodes/node-registry";
import { changeCount, diffGraphs, formatValue, type DiffGraph } from "./diff";
import { draftRunRefusal, firstProblems } from "./draft";
import { validateGraph } from "./validate";

const v1: DiffGraph = {
  name: "Win back",
  nodes: [
    { id: "csv", type: "source.csv-file@1", label: "Customers", config: { path: "a.csv", skipRows: 0, options: { delimiter: ",", quote: '"' } } },
    { id: "dedupe", type: "transform.dedupe@1", config: { keys: ["id"] } },
    { id: "old", type: "transform.filter@1", config: {} },
  ],
  edges: [
    { source: "csv", sourceHandle: "rows", target: "dedupe", targetHandle: "rows" },
    { source: "dedupe", sourceHandle: "rows", target: "old", targetHandle: "rows" },
  ],
};

// Moved nodes (positions differ) and a renamed edge id are not changes.
const v3: DiffGraph = {
  name: "Win back (EU)",
  description: "Only EU customers",
  nodes: [
    { id: "csv", type: "source.csv-file@1", label: "EU customers", config: { path: "a.csv", skipRows: 2, options: { delimiter: ";", quote: '"' } }, position: { x: 500, y: 9 } },
    { id: "dedupe", type: "transform.dedupe@2", config: { keys: ["id", "email"] }, options: { maximumAttempts: 5 } },
    { id: "score", type: "model.score@1", config: { model: "churn" } },
  ],
  edges: [
    { source: "csv", sourceHandle: "rows", target: "dedupe", targetHandle: "rows", id: "renamed" },
    { source: "dedupe", sourceHandle: "rows", target: "score", targetHandle: "rows" },
  ],
};

describe("diffGraphs", () => {
  it("lists name, description, nodes, settings and connections that changed, old and new", () => {
    expect(diffGraphs(v1, v3)).toEqual({
      name: { from: "Win back", to: "Win back (EU)" },
      description: { from: null, to: "Only EU customers" },
      nodesAdded: [{ id: "score", type: "model.score@1" }],
      nodesRemoved: [{ id: "old", type: "transform.filter@1" }],
      nodesChanged: [
        {
          node: { id: "csv", type: "source.csv-file@1", label: "EU customers" },
          changes: [
            { part: "label", field: "label", from: "Customers", to: "EU customers" },
            { part: "config", field: "options.delimiter", from: ",", to: ";" },
            { part: "config", field: "skipRows", from: 0, to: 2 },
          ],
        },
        {
          node: { id: "dedupe", type: "transform.dedupe@2" },
          changes: [
            { part: "type", field: "type", from: "transform.dedupe@1", to: "transform.dedupe@2" },
            { part: "config", field: "keys", from: ["id"], to: ["id", "email"] },
            { part: "options", field: "maximumAttempts", from: undefined, to: 5 },
          ],
        },
      ],
      edgesAdded: [{ source: "dedupe", sourceHandle: "rows", target: "score", targetHandle: "rows" }],
      edgesRemoved: [{ source: "dedupe", sourceHandle: "rows", target: "old", targetHandle: "rows" }],
    });
    // 1 name + 1 description + 1 added + 1 removed + 3 + 3 settings + 1 + 1 connections
    expect(changeCount(diffGraphs(v1, v3))).toBe(12);
  });

  it("is the same list the other way round, from and to swapped", () => {
    const back = diffGraphs(v3, v1);
    expect(back.name).toEqual({ from: "Win back (EU)", to: "Win back" });
    expect(back.nodesAdded).toEqual([{ id: "old", type: "transform.filter@1" }]);
    expect(back.nodesRemoved).toEqual([{ id: "score", type: "model.score@1" }]);
    expect(back.nodesChanged[0]!.changes[2]).toEqual({ part: "config", field: "skipRows", from: 2, to: 0 });
    expect(back.nodesChanged[1]!.changes[2]).toEqual({ part: "options", field: "maximumAttempts", from: 5, to: undefined });
  });

  it("finds nothing between a graph and itself moved about, and keeps a draft's bad values as they are", () => {
    const moved = { ...v1, nodes: v1.nodes.map((n, i) => ({ ...n, position: { x: i * 100, y: 7 } })) };
    const none = diffGraphs(v1, moved);
    expect(changeCount(none)).toBe(0);
    expect(none).toEqual({ name: null, description: null, nodesAdded: [], nodesRemoved: [], nodesChanged: [], edgesAdded: [], edgesRemoved: [] });

    const draft = { ...v1, nodes: v1.nodes.map((n) => (n.id === "csv" ? { ...n, config: { ...n.config, skipRows: "abc" } } : n)) };
    expect(diffGraphs(v1, draft).nodesChanged).toEqual([{ node: { id: "csv", type: "source.csv-file@1", label: "Customers" }, changes: [{ part: "config", field: "skipRows", from: 0, to: "abc" }] }]);
    // Key order inside a value is not a change; an empty description and none are the same.
    const reordered = { ...v1, description: "", nodes: v1.nodes.map((n) => (n.id === "csv" ? { ...n, config: { skipRows: 0, options: { quote: '"', delimiter: "," }, path: "a.csv" } } : n)) };
    expect(changeCount(diffGraphs(v1, reordered))).toBe(0);
  });
});

describe("formatValue", () => {
  it("shows unset, text, numbers, lists and long values readably", () => {
    expect(formatValue(undefined)).toBe("not set");
    expect(formatValue("abc")).toBe('"abc"');
    expect(formatValue(3)).toBe("3");
    expect(formatValue(false)).toBe("false");
    expect(formatValue(null)).toBe("null");
    expect(formatValue(["id", "email"])).toBe('["id","email"]');
    const long = formatValue("x".repeat(100));
    expect(long).toHaveLength(80);
    expect(long).toBe(`"${"x".repeat(78)}…`);
  });
});

describe("drafts", () => {
  const problems = [
    { nodeId: "csv-file-1", field: "skipRows", message: 'skipRows: "abc" is not a number' },
    { nodeId: "dedupe-1", field: "rows", message: 'Input "rows" needs a connection' },
    { edgeId: "e9", message: "Edge ends at unknown node \"x\"." },
  ];

  it("names the flow, the version and the first two problems when a draft is asked to run", () => {
    expect(firstProblems(problems)).toBe('csv-file-1 › skipRows: "abc" is not a number; dedupe-1 › Input "rows" needs a connection; and 1 more');
    expect(draftRunRefusal({ id: "win-back", name: "Win back" }, 4, problems, 3)).toBe(
      'Version 4 of flow "Win back" (win-back) is a draft with 3 problems and never runs. First: csv-file-1 › skipRows: "abc" is not a number; dedupe-1 › Input "rows" needs a connection; and 1 more. Fix them and save, or run version 3, the latest without problems.',
    );
    expect(draftRunRefusal({ id: "w", name: "W" }, 1, problems.slice(2), null)).toBe('Version 1 of flow "W" (w) is a draft with 1 problem and never runs. connection e9 › Edge ends at unknown node "x". Fix it and save.');
  });

  it("the validator says text in a number field is not a number (what a draft saved as typed holds)", () => {
    const csv = defineNode({
      type: "source.t", version: 1, kind: "source", label: "T", description: "",
      inputs: {}, outputs: { rows: "table" }, config: z.object({ skipRows: z.number().int().min(0).default(0) }), run: async () => ({ outputs: {} }),
    });
    const result = validateGraph({ name: "D", nodes: [{ id: "csv", type: "source.t@1", config: { skipRows: "abc" } }], edges: [] }, new NodeRegistry([csv]));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ nodeId: "csv", field: "skipRows", message: 'skipRows: "abc" is not a number' }]);
    // The graph itself parsed, so it can be kept as a draft, "abc" and all.
    expect(result.graph?.nodes[0]?.config).toEqual({ skipRows: "abc" });
  });
});
