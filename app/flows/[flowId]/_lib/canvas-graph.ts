// The saved graph and what React Flow draws are the same data in two shapes. Pure functions (no
// React, no I/O), shared by the store and the editor; relative imports so vitest can load them.
import dagre from "@dagrejs/dagre";
import type { Edge, Node, XYPosition } from "@xyflow/react";
import type { CatalogEntry } from "../../../../nodes/node-registry";
import { connectionProblem } from "../../../../workflows/graph/connect";
import type { FlowGraph, FlowGraphInput } from "../../../../workflows/graph/schema";

export interface NodeData extends Record<string, unknown> {
  /** `kind.name@version`, the key into the catalog. */
  ref: string;
  config: Record<string, unknown>;
  label?: string;
  options?: FlowGraph["nodes"][number]["options"];
}

export type CanvasNode = Node<NodeData, "lw">;
export type CanvasEdge = Edge;

export const NODE_WIDTH = 232;
const NODE_HEIGHT = 112;

export function edgeId(e: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }): string {
  return `${e.source}.${e.sourceHandle ?? ""}->${e.target}.${e.targetHandle ?? ""}`;
}

export function toCanvas(graph: Pick<FlowGraph, "nodes" | "edges">): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  return {
    nodes: graph.nodes.map((n) => ({
      id: n.id,
      type: "lw",
      position: { ...n.position },
      data: { ref: n.type, config: n.config ?? {}, ...(n.label ? { label: n.label } : {}), ...(n.options ? { options: n.options } : {}) },
    })),
    edges: graph.edges.map((e) => ({ id: e.id ?? edgeId(e), source: e.source, sourceHandle: e.sourceHandle, target: e.target, targetHandle: e.targetHandle })),
  };
}

export function toGraph(s: { name: string; description?: string; nodes: readonly CanvasNode[]; edges: readonly CanvasEdge[] }): FlowGraphInput {
  return {
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    nodes: s.nodes.map((n) => ({
      id: n.id,
      type: n.data.ref,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      config: n.data.config,
      ...(n.data.label ? { label: n.data.label } : {}),
      ...(n.data.options ? { options: n.data.options } : {}),
    })),
    edges: s.edges.map((e) => ({ id: e.id, source: e.source, sourceHandle: e.sourceHandle ?? "", target: e.target, targetHandle: e.targetHandle ?? "" })),
  };
}

/** A readable id from the node's name (`csv-file-2`), unique among `taken`, valid for the graph schema. */
export function newNodeId(ref: string, taken: ReadonlySet<string>): string {
  const name = ref.split("@")[0]!.split(".").pop()!.replace(/[^A-Za-z0-9_-]/g, "-");
  const base = /^[A-Za-z]/.test(name) ? name.slice(0, 56) : `n-${name}`.slice(0, 56);
  for (let i = 1; ; i++) {
    const id = `${base}-${i}`;
    if (!taken.has(id)) return id;
  }
}

export type CatalogIndex = ReadonlyMap<string, CatalogEntry>;

export function indexCatalog(entries: readonly CatalogEntry[]): CatalogIndex {
  return new Map(entries.map((e) => [e.ref, e]));
}

export interface ConnectionLike {
  source: string | null;
  sourceHandle?: string | null;
  target: string | null;
  targetHandle?: string | null;
}

/** Why this connection may not be made, or null. The same words validateGraph uses on save. */
export function canvasConnectionProblem(c: ConnectionLike, nodes: readonly CanvasNode[], edges: readonly CanvasEdge[], catalog: CatalogIndex): string | null {
  if (!c.source || !c.target || !c.sourceHandle || !c.targetHandle) return "Connect an output (right side of a node) to an input (left side)";
  const from = nodes.find((n) => n.id === c.source);
  const to = nodes.find((n) => n.id === c.target);
  const out = from && catalog.get(from.data.ref)?.outputs.find((p) => p.name === c.sourceHandle);
  const inp = to && catalog.get(to.data.ref)?.inputs.find((p) => p.name === c.targetHandle);
  const taken = edges.some((e) => e.target === c.target && e.targetHandle === c.targetHandle);
  return connectionProblem({ nodeId: c.source, port: c.sourceHandle, type: out?.type }, { nodeId: c.target, port: c.targetHandle, type: inp?.type }, { inputTaken: taken });
}

/** Left-to-right layered positions (dagre), keyed by node id. */
export function autoLayout(nodes: readonly CanvasNode[], edges: readonly CanvasEdge[]): Map<string, XYPosition> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? NODE_HEIGHT });
  for (const e of edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out = new Map<string, XYPosition>();
  for (const n of nodes) {
    const p = g.node(n.id);
    const w = n.measured?.width ?? NODE_WIDTH;
    const h = n.measured?.height ?? NODE_HEIGHT;
    // dagre gives centres; React Flow positions are top-left corners.
    if (p) out.set(n.id, { x: Math.round(p.x - w / 2), y: Math.round(p.y - h / 2) });
  }
  return out;
}
