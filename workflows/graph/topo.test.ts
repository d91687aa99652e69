// topoOrder: dependency order in graph order, cycles reported, and the same order compileGraph gives.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../lib/paths";
import { BUILT_IN_NODES, NodeRegistry } from "../../nodes/registry";
import { compileGraph } from "./compile";
import { topoOrder } from "./topo";

const registry = new NodeRegistry(BUILT_IN_NODES);

const nodes = (...ids: string[]) => ids.map((id) => ({ id }));
const edges = (...pairs: string[]) =>
  pairs.map((p) => {
    const [source, target] = p.split(">");
    return { source: source!, target: target! };
  });

describe("topoOrder", () => {
  it("puts every node after the nodes feeding it, whatever order the graph lists them in", () => {
    expect(topoOrder(nodes("score", "train", "load", "clean"), edges("load>clean", "clean>train", "train>score", "clean>score"))).toEqual({
      order: ["load", "clean", "train", "score"],
      cyclic: [],
    });
  });

  it("keeps the graph's order among the nodes nothing feeds, and takes ready nodes first come, first served", () => {
    // b, a and c are ready at the start, in that (graph) order; x waits for both b and a.
    expect(topoOrder(nodes("b", "x", "a", "c"), edges("a>x", "b>x")).order).toEqual(["b", "a", "c", "x"]);
    // d (freed by a) joins the queue before c (freed by b, taken after a), though the graph lists c first.
    expect(topoOrder(nodes("a", "b", "c", "d"), edges("a>d", "b>c")).order).toEqual(["a", "b", "d", "c"]);
    // Nodes freed by one node join in the order of its edges.
    expect(topoOrder(nodes("a", "y", "z"), edges("a>z", "a>y")).order).toEqual(["a", "z", "y"]);
  });

  it("reports the nodes on a cycle and those it feeds, in graph order, and orders the rest", () => {
    expect(topoOrder(nodes("start", "p", "q", "after", "free"), edges("start>p", "p>q", "q>p", "q>after"))).toEqual({
      order: ["start", "free"],
      cyclic: ["p", "q", "after"],
    });
    expect(topoOrder(nodes("self"), edges("self>self"))).toEqual({ order: [], cyclic: ["self"] });
  });

  it("ignores edges to or from nodes the graph does not have, counts a doubled edge twice, and a doubled node once", () => {
    expect(topoOrder(nodes("a", "b"), edges("ghost>b", "a>ghost", "b>a"))).toEqual({ order: ["b", "a"], cyclic: [] });
    expect(topoOrder(nodes("a", "b", "c"), edges("a>c", "a>c", "b>c"))).toEqual({ order: ["a", "b", "c"], cyclic: [] });
    expect(topoOrder(nodes("a", "b", "a"), edges("b>a"))).toEqual({ order: ["b", "a"], cyclic: [] });
    expect(topoOrder([], [])).toEqual({ order: [], cyclic: [] });
  });

  it("gives compileGraph's plan order on every example flow (so compile can use it as is)", () => {
    const dir = path.join(projectRoot, "examples", "flows");
    const files = readdirSync(dir).filter((f) => f.endsWith(".flow.json"));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const graph = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { nodes: { id: string }[]; edges: { source: string; target: string }[] };
      const plan = compileGraph(graph, registry, { id: file, version: 1 });
      const { order, cyclic } = topoOrder(graph.nodes, graph.edges);
      expect(order, file).toEqual(plan.nodes.map((n) => n.id));
      expect(order.length, file).toBe(graph.nodes.length);
      expect(cyclic, file).toEqual([]);
    }
  });

  it("gives compileGraph's plan order where first come, first served and graph order differ", () => {
    const source = (id: string) => ({ id, type: "source.csv-file@1", position: { x: 0, y: 0 }, config: { path: "examples/data/telco-customer-churn.csv" } });
    const dedupe = (id: string) => ({ id, type: "transform.dedupe@1", position: { x: 0, y: 0 }, config: { keys: ["customerID"], keep: "first" } });
    const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, sourceHandle: "rows", target, targetHandle: "rows" });
    const graph = { id: "g", name: "Two sources", nodes: [source("s1"), source("s2"), dedupe("fromS2"), dedupe("fromS1")], edges: [edge("s2", "fromS2"), edge("s1", "fromS1")] };
    const plan = compileGraph(graph, registry, { id: "g", version: 1 });
    expect(plan.nodes.map((n) => n.id)).toEqual(["s1", "s2", "fromS1", "fromS2"]);
    expect(topoOrder(graph.nodes, graph.edges).order).toEqual(["s1", "s2", "fromS1", "fromS2"]);
  });
});
