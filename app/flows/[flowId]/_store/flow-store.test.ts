import { readFileSync } from "node:fs";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadRegistry, type NodeRegistry } from "../../../../nodes/registry.ts";
import { flowGraphSchema, type FlowGraph } from "../../../../workflows/graph/schema.ts";
import { validateGraph, type GraphProblem } from "../../../../workflows/graph/validate.ts";
import { toGraph } from "../_lib/canvas-graph.ts";
import { hasUnsavedWork, useFlowStore } from "./flow-store.ts";

const telco: FlowGraph = flowGraphSchema.parse(JSON.parse(readFileSync(new URL("../../../../examples/flows/telco-churn.flow.json", import.meta.url), "utf8")));

const T0 = new Date("2025-01-01T00:00:00Z").getTime();
const store = () => useFlowStore.getState();
const node = (id: string) => store().nodes.find((n) => n.id === id);
const ids = () => store().nodes.map((n) => n.id);
const edgeIds = () => store().edges.map((e) => e.id);
/** Move the clock on by `ms` (Date.now is what the store's coalescing reads). */
const later = (ms: number) => vi.setSystemTime(Date.now() + ms);

let registry: NodeRegistry;
beforeAll(async () => {
  registry = await loadRegistry();
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
  // The store is a module singleton; load resets the flow, the clipboard survives loads on purpose.
  useFlowStore.setState({ clipboard: null });
  store().load("telco-churn", 3, telco);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("load / markSaved / dirty", () => {
  it("loads the graph clean, with no history", () => {
    const s = store();
    expect(s.flowId).toBe("telco-churn");
    expect(s.baseVersion).toBe(3);
    expect(s.name).toBe("Telco churn");
    expect(s.description).toBe(telco.description);
    expect(ids()).toEqual(["customers", "unique", "train", "score", "metrics", "writeback"]);
    expect(edgeIds()).toEqual(["e1", "e2", "e3", "e4", "e5", "e6"]);
    expect(s.dirty).toBe(false);
    expect(s.past).toEqual([]);
    expect(s.future).toEqual([]);
    // What the store holds saves back as the graph it was given.
    expect(validateGraph(toGraph(s), registry).ok).toBe(true);
    expect(toGraph(s).nodes).toEqual(telco.nodes);
  });

  it("is dirty after an edit and clean again after markSaved", () => {
    store().updateNode("score", { config: { scoreColumn: "p_churn" } });
    expect(store().dirty).toBe(true);
    store().markSaved(4);
    expect(store().dirty).toBe(false);
    expect(store().baseVersion).toBe(4);
    store().setName("Telco churn v2");
    expect(store().dirty).toBe(true);
  });

  it("a node measured or selected again while the save was in flight is not an unsaved change; one moved or edited is", () => {
    store().updateNode("score", { config: { scoreColumn: "p_churn" } });
    const sent = store();
    store().onNodesChange([{ type: "dimensions", id: "score", dimensions: { width: 240, height: 150 } }]);
    store().select("score");
    expect(store().nodes).not.toBe(sent.nodes);
    store().markSaved(4, sent);
    expect(store().dirty).toBe(false);

    const sent2 = store();
    store().onNodesChange([{ type: "position", id: "score", position: { x: 1, y: 2 } }]);
    store().markSaved(5, sent2);
    expect(store().dirty).toBe(true);
    const sent3 = store();
    store().updateNode("train", { label: "Trainer" });
    store().markSaved(6, sent3);
    expect(store().dirty).toBe(true);
  });

  it("loading again forgets the history, problems and run states of the previous flow", () => {
    store().addNode("control.passthrough@1", { x: 0, y: 0 });
    store().setProblems([{ nodeId: "train", message: "x" }]);
    store().setNodeRuns({ train: { status: "running", rows: null, startedAt: 1, finishedAt: null, error: null, attempt: 1, progress: null, metrics: null, outputs: null } });
    store().load("telco-churn", 3, telco);
    expect(store().past).toEqual([]);
    expect(store().dirty).toBe(false);
    expect(store().problems).toEqual([]);
    expect(store().problemsByNode).toEqual({});
    expect(store().nodeRuns).toEqual({});
    expect(ids()).not.toContain("passthrough-1");
  });

  it("selecting is not an edit", () => {
    const revision = store().revision;
    store().select("train");
    expect(node("train")?.selected).toBe(true);
    expect(store().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["train"]);
    expect(store().dirty).toBe(false);
    expect(store().past).toHaveLength(0);
    expect(store().revision).toBe(revision);
  });
});

describe("addNode, undo, redo", () => {
  it("undo removes an added node and redo brings it back where it was", () => {
    const id = store().addNode("source.csv-file@1", { x: 50, y: 400 });
    expect(id).toBe("csv-file-1");
    expect(node(id)).toMatchObject({ type: "lw", position: { x: 50, y: 400 }, data: { ref: "source.csv-file@1", config: {} }, selected: true });
    expect(store().past).toHaveLength(1);

    store().undo();
    expect(node(id)).toBeUndefined();
    expect(ids()).toEqual(telco.nodes.map((n) => n.id));
    expect(store().future).toHaveLength(1);

    store().redo();
    expect(node(id)).toMatchObject({ position: { x: 50, y: 400 }, data: { ref: "source.csv-file@1" } });
    expect(store().future).toHaveLength(0);
    expect(store().past).toHaveLength(1);
  });

  it("a second node of the same type gets the next number and only the new node is selected", () => {
    store().select("train");
    expect(store().addNode("source.csv-file@1", { x: 0, y: 0 })).toBe("csv-file-1");
    expect(store().addNode("source.csv-file@1", { x: 0, y: 0 })).toBe("csv-file-2");
    expect(store().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["csv-file-2"]);
  });

  it("a new edit after undo drops the redo branch", () => {
    store().addNode("source.csv-file@1", { x: 0, y: 0 });
    store().undo();
    store().setName("Renamed");
    expect(store().future).toEqual([]);
    store().redo();
    expect(ids()).not.toContain("csv-file-1");
  });

  it("undo and redo with nothing to undo or redo change nothing", () => {
    const before = store();
    store().undo();
    store().redo();
    expect(store().nodes).toBe(before.nodes);
    expect(store().dirty).toBe(false);
  });

  it("keeps at most 100 undo steps", () => {
    for (let i = 0; i < 130; i++) {
      store().setName(`name ${i}`);
      later(2000);
    }
    expect(store().past).toHaveLength(100);
    for (let i = 0; i < 100; i++) store().undo();
    // The 30 oldest steps are gone: the furthest back is the 30th rename, not the loaded name.
    expect(store().name).toBe("name 29");
    store().undo();
    expect(store().name).toBe("name 29");
  });
});

describe("updateNode coalescing", () => {
  it("two quick edits of the same node's config are one undo step", () => {
    const original = node("train")!.data.config;
    store().updateNode("train", { config: { ...original, target: "C" } });
    later(400);
    store().updateNode("train", { config: { ...original, target: "Ch" } });
    expect(node("train")!.data.config.target).toBe("Ch");
    expect(store().past).toHaveLength(1);
    store().undo();
    expect(node("train")!.data.config).toEqual(original);
    expect(store().past).toHaveLength(0);
  });

  it("keeps coalescing while the typing goes on, each key within a second of the last", () => {
    const original = node("score")!.data.config;
    for (const text of ["p", "p_", "p_c", "p_ch"]) {
      store().updateNode("score", { config: { scoreColumn: text } });
      later(900);
    }
    expect(store().past).toHaveLength(1);
    store().undo();
    expect(node("score")!.data.config).toEqual(original);
  });

  it("edits more than a second apart are separate steps", () => {
    store().updateNode("score", { config: { scoreColumn: "a" } });
    later(1500);
    store().updateNode("score", { config: { scoreColumn: "ab" } });
    expect(store().past).toHaveLength(2);
    store().undo();
    expect(node("score")!.data.config).toEqual({ scoreColumn: "a" });
  });

  it("quick edits of two different nodes are two undo steps", () => {
    store().updateNode("train", { config: { ...node("train")!.data.config, target: "X" } });
    later(100);
    store().updateNode("score", { config: { scoreColumn: "y" } });
    expect(store().past).toHaveLength(2);
    store().undo();
    expect(node("score")!.data.config).toEqual({ scoreColumn: "churn_score" });
    expect(node("train")!.data.config.target).toBe("X");
    store().undo();
    expect(node("train")!.data.config.target).toBe("Churn");
  });

  it("a label edit and a config edit of the same node are separate steps", () => {
    store().updateNode("score", { label: "Score all" });
    later(100);
    store().updateNode("score", { config: { scoreColumn: "y" } });
    expect(store().past).toHaveLength(2);
  });

  it("an undo in between ends the coalescing", () => {
    store().updateNode("score", { config: { scoreColumn: "a" } });
    later(100);
    store().updateNode("score", { config: { scoreColumn: "ab" } });
    store().undo();
    later(100);
    store().updateNode("score", { config: { scoreColumn: "z" } });
    expect(store().past).toHaveLength(1);
    expect(store().future).toHaveLength(0);
    store().undo();
    expect(node("score")!.data.config).toEqual({ scoreColumn: "churn_score" });
  });

  it("renaming the flow coalesces the same way", () => {
    store().setName("T");
    later(300);
    store().setName("Te");
    expect(store().past).toHaveLength(1);
    store().undo();
    expect(store().name).toBe("Telco churn");
  });
});

describe("deleting", () => {
  it("React Flow's edge removals then node removal for one delete are ONE undo step", () => {
    const nodesBefore = store().nodes;
    const edgesBefore = store().edges;
    // How React Flow reports deleting `score`: its edges first, then the node, in the same tick.
    store().onEdgesChange([
      { type: "remove", id: "e3" },
      { type: "remove", id: "e4" },
      { type: "remove", id: "e6" },
    ]);
    later(5);
    store().onNodesChange([{ type: "remove", id: "score" }]);
    expect(ids()).not.toContain("score");
    expect(edgeIds()).toEqual(["e1", "e2", "e5"]);
    expect(store().dirty).toBe(true);
    expect(store().past).toHaveLength(1);

    store().undo();
    expect(store().nodes).toEqual(nodesBefore);
    expect(store().edges).toEqual(edgesBefore);
    expect(store().past).toHaveLength(0);

    store().redo();
    expect(ids()).not.toContain("score");
    expect(edgeIds()).toEqual(["e1", "e2", "e5"]);
  });

  it("a node removal also drops the edges React Flow did not report", () => {
    store().onNodesChange([{ type: "remove", id: "train" }]);
    expect(edgeIds()).toEqual(["e1", "e3", "e6"]);
    store().undo();
    expect(edgeIds()).toEqual(["e1", "e2", "e3", "e4", "e5", "e6"]);
  });

  it("two deletes well apart are two undo steps", () => {
    store().onEdgesChange([{ type: "remove", id: "e5" }]);
    later(2000);
    store().onEdgesChange([{ type: "remove", id: "e6" }]);
    later(5);
    store().onNodesChange([{ type: "remove", id: "writeback" }]);
    expect(store().past).toHaveLength(2);
    store().undo();
    expect(edgeIds()).toEqual(["e1", "e2", "e3", "e4", "e6"]);
    expect(ids()).toContain("writeback");
  });

  it("deleteSelected removes the selected nodes with their edges in one step", () => {
    store().select("unique");
    store().deleteSelected();
    expect(ids()).toEqual(["customers", "train", "score", "metrics", "writeback"]);
    expect(edgeIds()).toEqual(["e4", "e5", "e6"]);
    expect(store().past).toHaveLength(1);
    store().undo();
    expect(edgeIds()).toEqual(["e1", "e2", "e3", "e4", "e5", "e6"]);
  });

  it("deleteSelected with nothing selected is not an edit", () => {
    store().deleteSelected();
    expect(store().past).toHaveLength(0);
    expect(store().dirty).toBe(false);
  });
});

describe("copy and paste", () => {
  const selectOnly = (...which: string[]) =>
    store().onNodesChange(store().nodes.map((n) => ({ type: "select" as const, id: n.id, selected: which.includes(n.id) })));

  it("pastes copies under new ids, re-pointing the edges between them, offset from the originals", () => {
    selectOnly("train", "score");
    const nodesBefore = store().nodes;
    const edgesBefore = store().edges;
    expect(store().copySelected()).toBe(2);
    expect(store().paste()).toBe(2);

    const trainCopy = node("train-classifier-1")!;
    const scoreCopy = node("score-1")!;
    expect(trainCopy).toBeDefined();
    expect(scoreCopy).toBeDefined();
    expect(trainCopy.data).toEqual(node("train")!.data);
    // A deep copy: editing the copy's config in place cannot touch the original.
    expect(trainCopy.data.config).not.toBe(node("train")!.data.config);
    expect(trainCopy.position).toEqual({ x: node("train")!.position.x + 40, y: node("train")!.position.y + 40 });
    expect(scoreCopy.position).toEqual({ x: node("score")!.position.x + 40, y: node("score")!.position.y + 40 });

    // Only the edge between the copied nodes comes along, pointing at the copies.
    const pasted = store().edges.slice(6);
    expect(pasted).toHaveLength(1);
    expect(pasted[0]).toMatchObject({ id: "train-classifier-1.model->score-1.model", source: "train-classifier-1", sourceHandle: "model", target: "score-1", targetHandle: "model" });
    // The originals and their edges are untouched (apart from losing the selection).
    expect(store().edges.slice(0, 6)).toEqual(edgesBefore);
    expect(store().nodes.slice(0, 6).map(({ selected: _s, ...n }) => n)).toEqual(nodesBefore.map(({ selected: _s, ...n }) => n));

    // The copies are the selection now.
    expect(store().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["train-classifier-1", "score-1"]);
    expect(store().dirty).toBe(true);
    expect(store().past).toHaveLength(1);
  });

  it("pasting twice gives new ids again and does not stack the copies on each other", () => {
    selectOnly("train", "score");
    store().copySelected();
    store().paste();
    store().paste();
    expect(ids()).toEqual(["customers", "unique", "train", "score", "metrics", "writeback", "train-classifier-1", "score-1", "train-classifier-2", "score-2"]);
    const positions = store().nodes.map((n) => `${n.position.x},${n.position.y}`);
    expect(new Set(positions).size).toBe(positions.length);
    expect(node("train-classifier-2")!.position).toEqual({ x: node("train")!.position.x + 80, y: node("train")!.position.y + 80 });
    expect(store().edges.slice(6).map((e) => [e.source, e.target])).toEqual([
      ["train-classifier-1", "score-1"],
      ["train-classifier-2", "score-2"],
    ]);
    expect(new Set(edgeIds()).size).toBe(edgeIds().length);
    // Each paste is its own undo step.
    store().undo();
    expect(ids()).not.toContain("score-2");
    expect(ids()).toContain("score-1");
  });

  it("the pasted flow still validates apart from the inputs the copies left behind", () => {
    selectOnly("score", "writeback");
    store().copySelected();
    store().paste();
    const result = validateGraph(toGraph(store()), registry);
    // The copied score node has no `rows` input; nothing else is wrong (edges, ids, configs).
    expect(result.problems).toEqual([{ nodeId: "score-1", field: "rows", message: 'Input "rows" needs a connection' }]);
  });

  it("paste with an empty clipboard does nothing", () => {
    expect(store().paste()).toBe(0);
    expect(store().past).toHaveLength(0);
    expect(store().dirty).toBe(false);
  });
});

describe("connect", () => {
  const c = { source: "score", sourceHandle: "rows", target: "metrics", targetHandle: "rows" };

  it("adds an edge whose id is made from its ends, as one undo step", () => {
    store().connect(c);
    const added = store().edges.at(-1)!;
    expect(added).toMatchObject({ id: "score.rows->metrics.rows", ...c });
    expect(store().edges).toHaveLength(7);
    expect(store().past).toHaveLength(1);
    expect(store().dirty).toBe(true);
    expect(validateGraph(toGraph(store()), registry).ok).toBe(true);
    store().undo();
    expect(store().edges).toHaveLength(6);
  });

  it("gives the same connection the same id when it is made again", () => {
    store().connect(c);
    const first = store().edges.at(-1)!.id;
    store().onEdgesChange([{ type: "remove", id: first }]);
    later(2000);
    store().connect(c);
    expect(store().edges.at(-1)!.id).toBe(first);
  });

  it("does not add the same connection twice", () => {
    store().connect(c);
    store().connect(c);
    expect(edgeIds().filter((id) => id === "score.rows->metrics.rows")).toHaveLength(1);
  });
});

describe("moving", () => {
  const drag = (id: string, x: number, y: number, dragging = true) => store().onNodesChange([{ type: "position", id, position: { x, y }, dragging }]);

  it("position changes move the node and mark the flow dirty, without history or a new revision", () => {
    const revision = store().revision;
    drag("metrics", 800, -50);
    drag("metrics", 820, -60, false);
    expect(node("metrics")!.position).toEqual({ x: 820, y: -60 });
    expect(store().past).toHaveLength(0);
    expect(store().dirty).toBe(true);
    expect(store().revision).toBe(revision);
  });

  it("beginMove takes one undo step for the whole drag", () => {
    store().beginMove();
    expect(store().past).toHaveLength(1);
    for (let x = 790; x <= 900; x += 10) drag("metrics", x, 10);
    expect(store().past).toHaveLength(1);
    store().undo();
    expect(node("metrics")!.position).toEqual({ x: 780, y: 0 });
    store().redo();
    expect(node("metrics")!.position).toEqual({ x: 900, y: 10 });
  });

  it("measured sizes and selection changes are neither history nor dirty", () => {
    store().onNodesChange([
      { type: "dimensions", id: "train", dimensions: { width: 240, height: 120 } },
      { type: "select", id: "train", selected: true },
    ]);
    expect(node("train")!.measured).toEqual({ width: 240, height: 120 });
    expect(store().past).toHaveLength(0);
    expect(store().dirty).toBe(false);
  });

  it("applyLayout moves the nodes as one undo step", () => {
    store().applyLayout(new Map([["train", { x: 1, y: 2 }], ["metrics", { x: 3, y: 4 }]]));
    expect(node("train")!.position).toEqual({ x: 1, y: 2 });
    expect(node("customers")!.position).toEqual({ x: 0, y: 120 });
    expect(store().past).toHaveLength(1);
    store().undo();
    expect(node("train")!.position).toEqual({ x: 520, y: 0 });
    expect(node("metrics")!.position).toEqual({ x: 780, y: 0 });
  });
});

describe("problems and run states", () => {
  it("groups problems by node; edge-only and flow-level problems stay in the list", () => {
    const problems: GraphProblem[] = [
      { nodeId: "train", field: "target", message: "target: required" },
      { nodeId: "score", field: "rows", message: 'Input "rows" needs a connection' },
      { nodeId: "train", field: "seed", message: "seed: too big" },
      { edgeId: "e9", field: "source", message: 'Edge starts at unknown node "ghost"' },
      { field: "name", message: "a flow needs a name" },
    ];
    store().setProblems(problems);
    expect(store().problems).toEqual(problems);
    expect(store().problemsByNode).toEqual({ train: [problems[0], problems[2]], score: [problems[1]] });
    store().setProblems([]);
    expect(store().problemsByNode).toEqual({});
  });

  it("groups what the real validator says about a broken Telco flow", () => {
    const { target: _target, ...config } = node("train")!.data.config;
    store().updateNode("train", { config });
    store().onEdgesChange([{ type: "remove", id: "e3" }]);
    const result = validateGraph(toGraph(store()), registry);
    expect(result.ok).toBe(false);
    store().setProblems(result.problems);
    expect(Object.keys(store().problemsByNode).sort()).toEqual(["score", "train"]);
    expect(store().problemsByNode.train).toEqual([{ nodeId: "train", field: "target", message: "target: required" }]);
    expect(store().problemsByNode.score).toEqual([{ nodeId: "score", field: "rows", message: 'Input "rows" needs a connection' }]);
  });

  it("setProblems and setNodeRuns are not edits", () => {
    store().setProblems([{ nodeId: "train", message: "x" }]);
    store().setNodeRuns({ train: { status: "succeeded", rows: 10, startedAt: 1, finishedAt: 2, error: null, attempt: 1, progress: null, metrics: null, outputs: null } });
    expect(store().nodeRuns.train?.status).toBe("succeeded");
    expect(store().dirty).toBe(false);
    expect(store().past).toHaveLength(0);
  });
});

describe("edits that change nothing, and step boundaries", () => {
  it("connecting an existing connection, or editing a missing node, is not an undo step", () => {
    store().connect({ source: "score", sourceHandle: "rows", target: "metrics", targetHandle: "rows" });
    store().connect({ source: "score", sourceHandle: "rows", target: "metrics", targetHandle: "rows" });
    store().updateNode("ghost", { config: { x: 1 } });
    expect(store().past).toHaveLength(1);
  });

  it("copying with nothing selected keeps the earlier copy", () => {
    store().select("train");
    expect(store().copySelected()).toBe(1);
    store().select(null);
    expect(store().copySelected()).toBe(0);
    expect(store().paste()).toBe(1);
  });

  it("quick edits of two different fields of one node are two undo steps", () => {
    const c = node("train")!.data.config;
    store().updateNode("train", { config: { ...c, target: "X" } });
    later(300);
    store().updateNode("train", { config: { ...c, target: "X", modelName: "m" } });
    expect(store().past).toHaveLength(2);
    store().undo();
    expect(node("train")!.data.config).toEqual({ ...c, target: "X" });
  });

  it("a save ends the step, so undo can reach the saved state", () => {
    store().setName("A");
    store().markSaved(4);
    later(100);
    store().setName("AB");
    store().undo();
    expect(store().name).toBe("A");
  });
});

describe("drafts: field text that is not a valid value", () => {
  const abc = { text: "abc", label: "Skip rows", message: "Enter a whole number" };

  it("is listed as a problem of its node, named by its field, before the server's problems, and is unsaved work", () => {
    store().setProblems([{ nodeId: "unique", field: "keys", message: "keys: Required" }]);
    expect(hasUnsavedWork(store())).toBe(false);
    store().setDraft("customers", "skipRows", abc);
    expect(store().problems).toEqual([
      { nodeId: "customers", field: "skipRows", message: "Skip rows: Enter a whole number", draft: true },
      { nodeId: "unique", field: "keys", message: "keys: Required" },
    ]);
    expect(store().problemsByNode.customers).toEqual([{ nodeId: "customers", field: "skipRows", message: "Skip rows: Enter a whole number", draft: true }]);
    expect(store().dirty).toBe(false);
    expect(hasUnsavedWork(store())).toBe(true);
    // Not an edit: nothing to undo, and the graph is what it was.
    expect(store().past).toEqual([]);
    expect(toGraph(store()).nodes).toEqual(telco.nodes);
  });

  it("a new validation keeps the drafts; clearing the draft leaves the server's problems alone", () => {
    store().setDraft("customers", "skipRows", abc);
    store().setProblems([]);
    expect(store().problems.map((p) => p.message)).toEqual(["Skip rows: Enter a whole number"]);
    store().setProblems([{ nodeId: "unique", message: "keys: Required" }]);
    store().setDraft("customers", "skipRows", null);
    expect(store().drafts).toEqual({});
    expect(store().problems).toEqual([{ nodeId: "unique", message: "keys: Required" }]);
    expect(hasUnsavedWork(store())).toBe(false);
  });

  it("goes with its node when the node is deleted, and is gone after a load", () => {
    store().setDraft("customers", "skipRows", abc);
    store().setDraft("train", "testFraction", { text: "0.9", label: "Test fraction", message: "Must be at most 0.5" });
    store().select("customers");
    store().deleteSelected();
    expect(Object.keys(store().drafts)).toEqual(["train"]);
    expect(store().problems.map((p) => p.nodeId)).toEqual(["train"]);
    store().load("telco-churn", 3, telco);
    expect(store().drafts).toEqual({});
    expect(store().problems).toEqual([]);
  });

  it("goes when React Flow removes its node, or an undo takes its node away", () => {
    store().setDraft("customers", "skipRows", abc);
    store().onNodesChange([{ type: "remove", id: "customers" }]);
    expect(store().drafts).toEqual({});
    const id = store().addNode("transform.dedupe@1", { x: 0, y: 0 });
    store().setDraft(id, "limit", { text: "x", label: "Limit", message: "Enter a number" });
    store().undo();
    expect(store().drafts).toEqual({});
    expect(store().problems).toEqual([]);
  });

  it("in an item of a list goes when that item is removed", () => {
    store().updateNode("score", { config: { ...node("score")!.data.config, bands: [{ upTo: 0.5 }, { upTo: 1 }] } });
    store().setDraft("score", "bands.1.upTo", { text: "2", label: "Up to", message: "Must be at most 1" });
    store().setDraft("score", "threshold", { text: "x", label: "Threshold", message: "Enter a number" });
    store().updateNode("score", { config: { ...node("score")!.data.config, bands: [{ upTo: 0.5 }] } });
    expect(store().drafts).toEqual({ score: { threshold: { text: "x", label: "Threshold", message: "Enter a number" } } });
  });
});

describe("saving a draft: field text into the graph, and the saved version's draft state", () => {
  it("commitDrafts puts each field's text into the config as typed (numbers that read exactly as numbers), clears the drafts, and is one undo step", () => {
    store().updateNode("score", { config: { ...node("score")!.data.config, bands: [{ upTo: 0.5 }, { upTo: 1 }] } });
    later(5000);
    const before = store().past.length;
    store().setDraft("customers", "skipRows", { text: "abc", label: "Skip rows", message: "Enter a whole number" });
    store().setDraft("score", "bands.1.upTo", { text: "2", label: "Up to", message: "Must be at most 1" });
    store().setDraft("score", "threshold", { text: "1.50", label: "Threshold", message: "Must be at most 1" });
    expect(store().commitDrafts()).toBe(3);
    expect(node("customers")!.data.config).toEqual({ path: "examples/data/telco-customer-churn.csv", skipRows: "abc" });
    expect(node("score")!.data.config).toEqual({ scoreColumn: "churn_score", bands: [{ upTo: 0.5 }, { upTo: 2 }], threshold: "1.50" });
    expect(store().drafts).toEqual({});
    expect(store().problems).toEqual([]);
    expect(store().dirty).toBe(true);
    expect(store().past).toHaveLength(before + 1);
    // Nothing to commit: no edit.
    expect(store().commitDrafts()).toBe(0);
    expect(store().past).toHaveLength(before + 1);
    store().undo();
    expect(node("customers")!.data.config).toEqual({ path: "examples/data/telco-customer-churn.csv" });
  });

  it("load and markSaved keep what the server said of the version (a draft, what runs meanwhile)", () => {
    expect(store().saved).toEqual({ draftProblems: 0, latestValidVersion: null, trigger: null });
    const meta = { draftProblems: 2, latestValidVersion: 3, trigger: { kind: "event", version: 3 } };
    store().load("telco-churn", 4, telco, meta);
    expect(store().saved).toEqual(meta);
    store().setName("Renamed");
    store().markSaved(5, store(), { draftProblems: 0, latestValidVersion: 5, trigger: { kind: "event", version: 5 } });
    expect(store()).toMatchObject({ baseVersion: 5, dirty: false, saved: { draftProblems: 0, latestValidVersion: 5 } });
    // Without an answer's meta, markSaved leaves it alone.
    store().markSaved(6);
    expect(store().saved.latestValidVersion).toBe(5);
  });
});
