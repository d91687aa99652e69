import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRegistry, type NodeRegistry } from "../../../../nodes/registry.ts";
import { flowGraphSchema, graphNodeSchema, type FlowGraph } from "../../../../workflows/graph/schema.ts";
import { validateGraph } from "../../../../workflows/graph/validate.ts";
import {
  autoLayout,
  canvasConnectionProblem,
  edgeId,
  indexCatalog,
  newNodeId,
  toCanvas,
  toGraph,
  type CanvasNode,
  type CatalogIndex,
} from "./canvas-graph.ts";

const telco: FlowGraph = flowGraphSchema.parse(JSON.parse(readFileSync(new URL("../../../../examples/flows/telco-churn.flow.json", import.meta.url), "utf8")));

let registry: NodeRegistry;
let catalog: CatalogIndex;
beforeAll(async () => {
  registry = await loadRegistry();
  catalog = indexCatalog(registry.catalog());
});

const roundTrip = (g: FlowGraph) => toGraph({ name: g.name, description: g.description, ...toCanvas(g) });

describe("toCanvas / toGraph", () => {
  it("round-trips the Telco example into a graph the real validator accepts, unchanged", () => {
    const back = roundTrip(telco);
    const result = validateGraph(back, registry);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(back.name).toBe(telco.name);
    expect(back.description).toBe(telco.description);
    expect(back.nodes).toEqual(telco.nodes);
    expect(back.edges).toEqual(telco.edges);
    // Configs are carried over value for value, node by node.
    for (const n of telco.nodes) expect(back.nodes.find((b) => b.id === n.id)?.config).toEqual(n.config);
  });

  it("draws every node as an `lw` node keyed by its type ref, and every edge with its saved id", () => {
    const { nodes, edges } = toCanvas(telco);
    expect(nodes.map((n) => [n.id, n.type, n.data.ref])).toEqual(telco.nodes.map((n) => [n.id, "lw", n.type]));
    expect(edges.map((e) => e.id)).toEqual(["e1", "e2", "e3", "e4", "e5", "e6"]);
    // The canvas position is a copy: React Flow moving a node cannot move the saved graph.
    expect(nodes[0]!.position).not.toBe(telco.nodes[0]!.position);
  });

  it("keeps labels and run options, rounds positions, and names unnamed edges by their ends", () => {
    const g: FlowGraph = {
      ...telco,
      nodes: telco.nodes.map((n) => (n.id === "train" ? { ...n, label: "Churn model", options: { maximumAttempts: 3, startToCloseTimeout: "5m" } } : n)),
      edges: telco.edges.map(({ id, ...e }) => (id === "e1" ? e : { id, ...e })),
    };
    const { nodes, edges } = toCanvas(g);
    nodes[0]!.position = { x: 10.4, y: 119.6 };
    const back = toGraph({ name: g.name, nodes, edges });
    expect(back.nodes.find((n) => n.id === "train")).toMatchObject({ label: "Churn model", options: { maximumAttempts: 3, startToCloseTimeout: "5m" } });
    expect(back.nodes[0]!.position).toEqual({ x: 10, y: 120 });
    expect(back.edges?.[0]?.id).toBe("customers.rows->unique.rows");
    expect(back).not.toHaveProperty("description");
    expect(validateGraph(back, registry).ok).toBe(true);
  });
});

describe("edgeId", () => {
  it("names an edge by its two ends, so the same connection always gets the same id", () => {
    expect(edgeId({ source: "a", sourceHandle: "rows", target: "b", targetHandle: "rows" })).toBe("a.rows->b.rows");
    expect(edgeId({ source: "a", sourceHandle: "rows", target: "b", targetHandle: "model" })).not.toBe(edgeId({ source: "a", sourceHandle: "rows", target: "b", targetHandle: "rows" }));
  });
});

describe("newNodeId", () => {
  it("names a node after its type, numbered from 1", () => {
    expect(newNodeId("source.csv-file@1", new Set())).toBe("csv-file-1");
  });

  it("takes the next free number when the id is taken", () => {
    expect(newNodeId("source.csv-file@1", new Set(["csv-file-1"]))).toBe("csv-file-2");
    expect(newNodeId("source.csv-file@1", new Set(["csv-file-1", "csv-file-2", "csv-file-4"]))).toBe("csv-file-3");
    expect(newNodeId("model.score@2", new Set(["score"]))).toBe("score-1");
  });

  it("gives ids the graph schema accepts, even for odd type names", () => {
    const odd = [
      "source.csv-file@1",
      "transform.123-numbers-first@1",
      "vendor.pkg.deeply.nested.name@7",
      "x.@1",
      "",
      "@1",
      "no-dots-or-version",
      "source.café au lait!@1",
      "source.😀@1",
      "source._underscore@1",
      "source.-dash@1",
      `source.${"a".repeat(300)}@1`,
      `source.${"9".repeat(300)}@1`,
    ];
    for (const ref of odd) {
      const taken = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const id = newNodeId(ref, taken);
        expect(graphNodeSchema.shape.id.safeParse(id).success, `${JSON.stringify(ref)} -> ${JSON.stringify(id)}`).toBe(true);
        expect(taken.has(id)).toBe(false);
        taken.add(id);
      }
    }
  });
});

describe("canvasConnectionProblem (real catalog)", () => {
  const { nodes, edges } = toCanvas(telco);

  it("lets a table output feed a free table input", () => {
    // metrics.rows is an optional table input the Telco flow leaves free.
    expect(canvasConnectionProblem({ source: "score", sourceHandle: "rows", target: "metrics", targetHandle: "rows" }, nodes, edges, catalog)).toBeNull();
    // And the other way round: an input that is free once its edge is gone.
    expect(canvasConnectionProblem({ source: "customers", sourceHandle: "rows", target: "writeback", targetHandle: "rows" }, nodes, edges.filter((e) => e.id !== "e6"), catalog)).toBeNull();
  });

  it("refuses a model output into a table input, in the validator's words", () => {
    const problem = canvasConnectionProblem({ source: "train", sourceHandle: "model", target: "writeback", targetHandle: "rows" }, nodes, edges.filter((e) => e.id !== "e6"), catalog);
    expect(problem).toContain("Cannot connect model output");
    // validateGraph says the same thing about the same edge on save.
    const saved = validateGraph(
      toGraph({ name: "x", nodes, edges: [...edges.filter((e) => e.id !== "e6"), { id: "bad", source: "train", sourceHandle: "model", target: "writeback", targetHandle: "rows" }] }),
      registry,
    );
    expect(saved.problems.map((p) => p.message)).toContain(problem);
  });

  it("refuses a second edge into an input that already has one", () => {
    const problem = canvasConnectionProblem({ source: "customers", sourceHandle: "rows", target: "score", targetHandle: "rows" }, nodes, edges, catalog);
    expect(problem).toMatch(/already has a connection/);
    expect(problem).toContain('"score"');
  });

  it("refuses a self-loop", () => {
    expect(canvasConnectionProblem({ source: "score", sourceHandle: "rows", target: "score", targetHandle: "rows" }, nodes, edges.filter((e) => e.id !== "e3"), catalog)).toBe(
      "A node cannot feed itself",
    );
  });

  it("refuses a connection without both handles, or to a port the node does not have", () => {
    expect(canvasConnectionProblem({ source: "customers", sourceHandle: null, target: "metrics", targetHandle: "rows" }, nodes, edges, catalog)).toMatch(/Connect an output/);
    expect(canvasConnectionProblem({ source: "customers", sourceHandle: "rows", target: "metrics", targetHandle: "nope" }, nodes, edges, catalog)).toBe('"metrics" has no input "nope"');
    expect(canvasConnectionProblem({ source: "writeback", sourceHandle: "rows", target: "metrics", targetHandle: "rows" }, nodes, edges, catalog)).toBe('"writeback" has no output "rows"');
  });
});

describe("autoLayout", () => {
  it("puts every Telco node at its own position, left to right along every edge", () => {
    const { nodes, edges } = toCanvas(telco);
    // Start from a heap in one corner, so nothing is inherited from the saved positions.
    const heaped: CanvasNode[] = nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } }));
    const at = autoLayout(heaped, edges);
    expect([...at.keys()].sort()).toEqual(nodes.map((n) => n.id).sort());
    const distinct = new Set([...at.values()].map((p) => `${p.x},${p.y}`));
    expect(distinct.size).toBe(nodes.length);
    for (const e of edges) expect(at.get(e.source)!.x, `${e.source} -> ${e.target}`).toBeLessThan(at.get(e.target)!.x);
    for (const p of at.values()) expect(Number.isInteger(p.x) && Number.isInteger(p.y)).toBe(true);
  });

  it("does not let nodes overlap, using measured sizes when React Flow has them", () => {
    const { nodes, edges } = toCanvas(telco);
    const sized: CanvasNode[] = nodes.map((n) => ({ ...n, measured: { width: 300, height: 160 } }));
    const at = autoLayout(sized, edges);
    const boxes = [...at.values()];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const overlap = a.x < b.x + 300 && b.x < a.x + 300 && a.y < b.y + 160 && b.y < a.y + 160;
        expect(overlap).toBe(false);
      }
  });
});
