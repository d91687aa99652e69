import { connectionProblem } from "./connect";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineNode } from "../../nodes/sdk";
import { NodeRegistry } from "../../nodes/node-registry";
import temporalConfig from "../../temporal.config";
import { GraphInvalidError, compileGraph } from "./compile";
import { validateGraph } from "./validate";

const noop = async () => ({ outputs: {} });
const source = defineNode({
  type: "source.test", version: 1, kind: "source", label: "Test source", description: "",
  inputs: {}, outputs: { rows: "table" }, config: z.object({ path: z.string().min(1) }), run: noop,
});
const trainer = defineNode({
  type: "model.test", version: 1, kind: "model", label: "Test trainer", description: "",
  inputs: { rows: "table" }, outputs: { model: "model" },
  config: z.object({ target: z.string(), iterations: z.number().int().default(100) }), run: noop,
  activity: { startToCloseTimeout: "3 hours" },
});
const scorer = defineNode({
  type: "model.test-score", version: 2, kind: "model", label: "Test scorer", description: "",
  inputs: { rows: "table", model: { type: "model", optional: true } }, outputs: { rows: "table" }, config: z.object({}), run: noop,
});
const registry = new NodeRegistry([source, trainer, scorer]);

const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({ id, type, position: { x: 0, y: 0 }, config });
const edge = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({ source, sourceHandle, target, targetHandle });

const good = () => ({
  name: "Good",
  nodes: [node("score", "model.test-score@2"), node("train", "model.test@1", { target: "Churn" }), node("src", "source.test@1", { path: "a.csv" })],
  edges: [edge("src", "rows", "train", "rows"), edge("src", "rows", "score", "rows"), edge("train", "model", "score", "model")],
});

describe("validateGraph", () => {
  it("accepts a well-formed graph", () => {
    const result = validateGraph(good(), registry);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("reports every problem at once, each with node id and field", () => {
    const g = good();
    g.nodes.push(node("src", "source.test@1", { path: "b.csv" })); // duplicate id
    g.nodes.push(node("ghost", "source.nothing@1")); // unknown type
    g.nodes.push(node("old", "model.test-score@1")); // unknown version
    g.nodes[1]!.config = { target: 42 }; // config fails the schema
    g.nodes.push(node("lonely", "model.test@1", { target: "x" })); // required input not connected
    const result = validateGraph(g, registry);
    expect(result.ok).toBe(false);
    const find = (nodeId: string, field: string) => result.problems.find((p) => p.nodeId === nodeId && p.field === field);
    expect(find("src", "id")?.message).toMatch(/unique/);
    expect(find("ghost", "type")?.message).toMatch(/Unknown node type "source.nothing"/);
    expect(find("old", "type")?.message).toMatch(/no version 1 \(known: 2\)/);
    expect(find("train", "target")?.message).toMatch(/^target: /);
    expect(find("lonely", "rows")?.message).toMatch(/needs a connection/);
    expect(find("old", "rows")).toBeUndefined(); // an unknown node is not also blamed for its inputs
    expect(result.problems).toHaveLength(5);
  });

  it("says a missing config field is required, and keeps zod's words for a wrong value", () => {
    const g = good();
    g.nodes[1]!.config = {};
    expect(validateGraph(g, registry).problems).toEqual([expect.objectContaining({ nodeId: "train", field: "target", message: "target: required" })]);
    g.nodes[1]!.config = { target: "Churn", iterations: "many" };
    expect(validateGraph(g, registry).problems).toEqual([expect.objectContaining({ nodeId: "train", field: "iterations", message: expect.stringMatching(/^iterations: .*number/) })]);
  });

  it("refuses edges between incompatible ports and to ports that do not exist", () => {
    const g = good();
    g.edges = [
      edge("src", "rows", "train", "rows"),
      edge("src", "rows", "score", "model"), // table into a model input
      edge("train", "model", "score", "rows"), // model into a table input
      edge("train", "weights", "score", "rows"), // no such output
    ];
    const problems = validateGraph(g, registry).problems;
    expect(problems.filter((p) => /Cannot connect table output "src.rows" to model input "model"/.test(p.message))).toHaveLength(1);
    expect(problems.filter((p) => /Cannot connect model output "train.model" to table input "rows"/.test(p.message))).toHaveLength(1);
    expect(problems.find((p) => p.field === "sourceHandle")?.message).toMatch(/no output "weights"/);
    // score.rows was never connected by a valid edge
    expect(problems.find((p) => p.nodeId === "score" && p.field === "rows" && /needs a connection/.test(p.message))).toBeDefined();
  });

  it("finds cycles and names the nodes in them", () => {
    const g = {
      name: "Loop",
      nodes: [node("a", "model.test-score@2"), node("b", "model.test-score@2"), node("c", "model.test-score@2")],
      edges: [edge("a", "rows", "b", "rows"), edge("b", "rows", "c", "rows"), edge("c", "rows", "a", "rows")],
    };
    const cyc = validateGraph(g, registry).problems.filter((p) => p.message.startsWith("Part of a cycle"));
    expect(cyc.map((p) => p.nodeId).sort()).toEqual(["a", "b", "c"]);
  });

  it("reports structural errors with the node id and the field", () => {
    const result = validateGraph({ name: "", nodes: [{ id: "x", type: "not a type", config: {} }], edges: [] }, registry);
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(expect.objectContaining({ nodeId: "x", field: "type" }));
    expect(result.problems).toContainEqual(expect.objectContaining({ field: "name" }));
  });

  it("refuses two edges into one input", () => {
    const g = good();
    g.nodes.push(node("src2", "source.test@1", { path: "c.csv" }));
    g.edges.push(edge("src2", "rows", "train", "rows"));
    const problems = validateGraph(g, registry).problems;
    expect(problems).toEqual([expect.objectContaining({ nodeId: "train", field: "rows", message: 'Input "rows" of "train" already has a connection' })]);
  });
});

describe("compileGraph", () => {
  it("orders nodes by dependency and wires inputs to upstream ports", () => {
    const plan = compileGraph(good(), registry, { id: "f", version: 3 });
    expect(plan.nodes.map((n) => n.id)).toEqual(["src", "train", "score"]);
    expect(plan.flowVersion).toBe(3);
    const score = plan.nodes.find((n) => n.id === "score")!;
    expect(score.inputs).toEqual({ rows: { node: "src", port: "rows" }, model: { node: "train", port: "model" } });
  });

  it("applies config defaults and layers activity settings: kind, node definition, graph node", () => {
    const g = good();
    (g.nodes[1] as Record<string, unknown>).options = { heartbeatTimeout: "5 seconds", maximumAttempts: 7 };
    const plan = compileGraph(g, registry, { id: "f", version: 1 });
    const train = plan.nodes.find((n) => n.id === "train")!;
    expect(train.config).toEqual({ target: "Churn", iterations: 100 });
    expect(train.activity.startToCloseTimeout).toBe("3 hours"); // node definition over kind default
    expect(train.activity.heartbeatTimeout).toBe("5 seconds"); // graph node over both
    expect(train.activity.maximumAttempts).toBe(7);
    expect(train.activity.initialInterval).toBe(temporalConfig.nodeDefaults.model.initialInterval);
    expect(Object.isFrozen(plan)).toBe(true);
  });

  it("refuses an invalid graph with every problem", () => {
    const g = good();
    g.nodes[1]!.config = {};
    expect(() => compileGraph(g, registry, { id: "f", version: 1 })).toThrow(GraphInvalidError);
    try {
      compileGraph(g, registry, { id: "f", version: 1 });
    } catch (err) {
      expect((err as GraphInvalidError).problems).toEqual([expect.objectContaining({ nodeId: "train", field: "target" })]);
      expect((err as Error).message).toContain('node "train", field "target"');
    }
  });
});

describe("connectionProblem", () => {
  const end = (nodeId: string, port: string, type: string | undefined) => ({ nodeId, port, type });
  it("allows matching types into a free input and explains every refusal", () => {
    expect(connectionProblem(end("a", "rows", "table"), end("b", "rows", "table"))).toBeNull();
    expect(connectionProblem(end("a", "model", "model"), end("b", "rows", "table"))).toMatch(/Cannot connect model output "a.model" to table input "rows" of "b"/);
    expect(connectionProblem(end("a", "rows", "table"), end("b", "rows", "table"), { inputTaken: true })).toMatch(/already has a connection/);
    expect(connectionProblem(end("a", "rows", "table"), end("a", "rows", "table"))).toMatch(/cannot feed itself/);
    expect(connectionProblem(end("a", "nope", undefined), end("b", "rows", "table"))).toMatch(/no output "nope"/);
  });
});
