// The open flow: nodes, edges, name, undo history, clipboard, and what the editor learned about
// them (validation problems, the last run's node states). No I/O here: components fetch and save,
// and hand the results to the store.
import { addEdge, applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from "@xyflow/react";
import { create } from "zustand";
import type { GraphProblem } from "../../../../workflows/graph/validate";
import { edgeId, newNodeId, toCanvas, type CanvasEdge, type CanvasNode, type NodeData } from "../_lib/canvas-graph";
import type { FlowGraph } from "../../../../workflows/graph/schema";
import type { NodeStatus } from "../../../../workflows/graph/status";
import { setAt } from "../_lib/value-path";
import { NO_META, draftValue, type SavedMeta } from "../_lib/draft-save";
import { withDrafts, type Drafts, type EditorProblem, type FieldDraft } from "./flow-problems";

export type { Drafts, EditorProblem, FieldDraft } from "./flow-problems";

interface Snapshot {
  name: string;
  nodes: CanvasNode[];
  edges: CanvasEdge[];
}

export interface NodeRunView {
  status: NodeStatus;
  rows: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  attempt: number;
  progress: { fraction?: number | null; message?: string | null } | null;
  metrics: Record<string, unknown> | null;
  /** Output refs by port; tables carry their columns, which the config form offers downstream. */
  outputs: Record<string, { kind: string; columns?: { name: string; type: string }[] }> | null;
}

const HISTORY_LIMIT = 100;
// Typing in one field is one undo step, not one per key.
const COALESCE_MS = 1000;
// React Flow reports one delete as separate node and edge removals: one undo step.
const REMOVAL_MS = 100;

export interface FlowState {
  flowId: string;
  name: string;
  description?: string;
  /** The saved version the editor started from; saving over a newer one is refused by the server. */
  baseVersion: number;
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  /** Bumped by every change that can change validity (not by moving or selecting nodes). */
  revision: number;
  dirty: boolean;
  past: Snapshot[];
  future: Snapshot[];
  clipboard: Snapshot | null;
  lastEdit: { key: string; at: number } | null;
  /** The server's problems and the fields' drafts together, drafts first. */
  problems: EditorProblem[];
  problemsByNode: Record<string, EditorProblem[]>;
  /** The last validation's (or refused save's) problems. */
  serverProblems: GraphProblem[];
  drafts: Drafts;
  nodeRuns: Record<string, NodeRunView>;
  /** The saved version's draft state and what runs meanwhile. */
  saved: SavedMeta;

  load(flowId: string, version: number, graph: Pick<FlowGraph, "name" | "description" | "nodes" | "edges">, saved?: SavedMeta): void;
  /** `savedFrom` is the state that was sent: edits made while the save was in flight stay unsaved. */
  markSaved(version: number, savedFrom?: Pick<FlowState, "name" | "nodes" | "edges">, saved?: SavedMeta): void;
  /**
   * Puts the fields' drafts into the config as typed (a draft version keeps them: "abc" stays
   * "abc"), so the graph holds everything on screen. Returns how many there were.
   */
  commitDrafts(): number;
  onNodesChange(changes: NodeChange<CanvasNode>[]): void;
  onEdgesChange(changes: EdgeChange<CanvasEdge>[]): void;
  connect(c: Connection): void;
  beginMove(): void;
  addNode(ref: string, position: XYPosition): string;
  updateNode(id: string, patch: Partial<Pick<NodeData, "config" | "label">>): void;
  setName(name: string): void;
  select(id: string | null): void;
  deleteSelected(): void;
  copySelected(): number;
  paste(): number;
  applyLayout(positions: Map<string, XYPosition>): void;
  undo(): void;
  redo(): void;
  setProblems(problems: GraphProblem[]): void;
  /** A field's text that is not a valid value, or null once it is valid (or given up). */
  setDraft(nodeId: string, path: string, draft: FieldDraft | null): void;
  setNodeRuns(runs: Record<string, NodeRunView>): void;
}

const snap = (s: FlowState): Snapshot => ({ name: s.name, nodes: s.nodes, edges: s.edges });

/** The state change of an edit: history recorded (unless coalesced), redo cleared, marked dirty. */
function edit(s: FlowState, next: Partial<FlowState>, key?: string, windowMs = COALESCE_MS): Partial<FlowState> {
  const now = Date.now();
  const coalesce = key !== undefined && s.lastEdit?.key === key && now - s.lastEdit.at < windowMs;
  return {
    ...next,
    past: coalesce ? s.past : [...s.past.slice(-(HISTORY_LIMIT - 1)), snap(s)],
    future: [],
    dirty: true,
    revision: s.revision + 1,
    lastEdit: key ? { key, at: now } : null,
  };
}

/**
 * The same nodes as far as the saved graph goes: React Flow hands out new node objects when a
 * node is measured again (its card grew a problem line while the save was in flight) or selected.
 */
function sameNodes(a: readonly CanvasNode[], b: readonly CanvasNode[]): boolean {
  return a === b || (a.length === b.length && a.every((n, i) => n === b[i] || (n.id === b[i]!.id && n.data === b[i]!.data && n.position.x === b[i]!.position.x && n.position.y === b[i]!.position.y)));
}

/** Edits not saved yet: changes to the flow, or text in a field that is not a valid value. */
export function hasUnsavedWork(s: Pick<FlowState, "dirty" | "drafts">): boolean {
  return s.dirty || Object.keys(s.drafts).length > 0;
}

export const useFlowStore = create<FlowState>()((set, get) => ({
  flowId: "",
  name: "",
  baseVersion: 0,
  nodes: [],
  edges: [],
  revision: 0,
  dirty: false,
  past: [],
  future: [],
  clipboard: null,
  lastEdit: null,
  problems: [],
  problemsByNode: {},
  serverProblems: [],
  drafts: {},
  nodeRuns: {},
  saved: NO_META,

  load(flowId, version, graph, saved = NO_META) {
    const { nodes, edges } = toCanvas(graph);
    set({
      flowId,
      name: graph.name,
      description: graph.description,
      baseVersion: version,
      nodes,
      edges,
      revision: get().revision + 1,
      dirty: false,
      past: [],
      future: [],
      lastEdit: null,
      problems: [],
      problemsByNode: {},
      serverProblems: [],
      drafts: {},
      nodeRuns: {},
      saved,
    });
  },

  markSaved(version, savedFrom, saved) {
    const s = get();
    const changedSince = savedFrom !== undefined && (savedFrom.name !== s.name || !sameNodes(savedFrom.nodes, s.nodes) || savedFrom.edges !== s.edges);
    // The saved state stays reachable by undo: the next keystroke starts a new step.
    set({ baseVersion: version, dirty: changedSince, lastEdit: null, ...(saved ? { saved } : {}) });
  },

  commitDrafts() {
    const s = get();
    const entries = Object.entries(s.drafts);
    if (!entries.length) return 0;
    let n = 0;
    const nodes = s.nodes.map((node) => {
      const fields = s.drafts[node.id];
      if (!fields) return node;
      let config = node.data.config;
      for (const [path, d] of Object.entries(fields)) {
        config = setAt(config, path, draftValue(d.text));
        n++;
      }
      return { ...node, data: { ...node.data, config } };
    });
    set({ ...edit(s, { nodes }), ...withDrafts(nodes, {}, s.serverProblems) });
    return n;
  },

  onNodesChange(changes) {
    const s = get();
    const removes = changes.some((c) => c.type === "remove");
    const nodes = applyNodeChanges(changes, s.nodes);
    if (removes) {
      const ids = new Set(nodes.map((n) => n.id));
      set({ ...edit(s, { nodes, edges: s.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) }, "remove", REMOVAL_MS), ...withDrafts(nodes, s.drafts, s.serverProblems) });
    } else {
      // Moves, selection and measured sizes: no history (a move's history is taken by beginMove).
      const moved = changes.some((c) => c.type === "position" && c.position);
      set(moved ? { nodes, dirty: true } : { nodes });
    }
  },

  onEdgesChange(changes) {
    const s = get();
    const edges = applyEdgeChanges(changes, s.edges);
    set(changes.some((c) => c.type === "remove") ? edit(s, { edges }, "remove", REMOVAL_MS) : { edges });
  },

  connect(c) {
    const s = get();
    const edges = addEdge({ ...c, id: edgeId(c) }, s.edges);
    if (edges.length !== s.edges.length) set(edit(s, { edges }));
  },

  beginMove() {
    const s = get();
    set({ past: [...s.past.slice(-(HISTORY_LIMIT - 1)), snap(s)], future: [], lastEdit: null });
  },

  addNode(ref, position) {
    const s = get();
    const id = newNodeId(ref, new Set(s.nodes.map((n) => n.id)));
    const node: CanvasNode = { id, type: "lw", position, data: { ref, config: {} }, selected: true };
    set(edit(s, { nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] }));
    return id;
  },

  updateNode(id, patch) {
    const s = get();
    const node = s.nodes.find((n) => n.id === id);
    if (!node) return;
    const nodes = s.nodes.map((n) => (n === node ? { ...n, data: { ...n.data, ...patch } } : n));
    // One undo step per field typed in, so the key names the fields that changed.
    const changed = patch.config ? Object.keys({ ...node.data.config, ...patch.config }).filter((k) => node.data.config[k] !== patch.config![k]) : [];
    set({ ...edit(s, { nodes }, `node:${id}:${Object.keys(patch).join(",")}:${changed.sort().join(",")}`), ...(s.drafts[id] ? withDrafts(nodes, s.drafts, s.serverProblems) : {}) });
  },

  setName(name) {
    const s = get();
    set(edit(s, { name }, "name"));
  },

  select(id) {
    set({ nodes: get().nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })) });
  },

  deleteSelected() {
    const s = get();
    const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
    const edges = s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
    if (!gone.size && edges.length === s.edges.length) return;
    const nodes = s.nodes.filter((n) => !gone.has(n.id));
    set({ ...edit(s, { nodes, edges }), ...withDrafts(nodes, s.drafts, s.serverProblems) });
  },

  copySelected() {
    const s = get();
    const nodes = s.nodes.filter((n) => n.selected);
    if (!nodes.length) return 0; // an empty copy keeps what was copied before
    const ids = new Set(nodes.map((n) => n.id));
    set({ clipboard: { name: s.name, nodes, edges: s.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) } });
    return nodes.length;
  },

  paste() {
    const s = get();
    const clip = s.clipboard;
    if (!clip?.nodes.length) return 0;
    const taken = new Set(s.nodes.map((n) => n.id));
    const renamed = new Map<string, string>();
    const pasted = clip.nodes.map((n) => {
      const id = newNodeId(n.data.ref, taken);
      taken.add(id);
      renamed.set(n.id, id);
      return { ...n, id, selected: true, position: { x: n.position.x + 40, y: n.position.y + 40 }, data: structuredClone(n.data) };
    });
    const edges = clip.edges.map((e) => {
      const c = { ...e, source: renamed.get(e.source)!, target: renamed.get(e.target)!, selected: false };
      return { ...c, id: edgeId(c) };
    });
    // The pasted copy is pasted again further on, not on top of itself.
    set({
      ...edit(s, { nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted], edges: [...s.edges, ...edges] }),
      clipboard: { ...clip, nodes: pasted.map((n) => ({ ...n, selected: false })), edges },
    });
    return pasted.length;
  },

  applyLayout(positions) {
    const s = get();
    set(edit(s, { nodes: s.nodes.map((n) => (positions.has(n.id) ? { ...n, position: positions.get(n.id)! } : n)) }));
  },

  undo() {
    const s = get();
    const prev = s.past.at(-1);
    if (!prev) return;
    set({ ...prev, past: s.past.slice(0, -1), future: [snap(s), ...s.future], dirty: true, revision: s.revision + 1, lastEdit: null, ...withDrafts(prev.nodes, s.drafts, s.serverProblems) });
  },

  redo() {
    const s = get();
    const next = s.future[0];
    if (!next) return;
    set({ ...next, past: [...s.past, snap(s)], future: s.future.slice(1), dirty: true, revision: s.revision + 1, lastEdit: null, ...withDrafts(next.nodes, s.drafts, s.serverProblems) });
  },

  setProblems(problems) {
    const s = get();
    set({ serverProblems: problems, ...withDrafts(s.nodes, s.drafts, problems) });
  },

  setDraft(nodeId, path, draft) {
    const s = get();
    const had = s.drafts[nodeId]?.[path];
    if (!draft && !had) return;
    if (draft && had && had.text === draft.text && had.message === draft.message && had.label === draft.label) return;
    const fields = { ...s.drafts[nodeId] };
    if (draft) fields[path] = draft;
    else delete fields[path];
    const drafts = { ...s.drafts };
    if (Object.keys(fields).length) drafts[nodeId] = fields;
    else delete drafts[nodeId];
    set(withDrafts(s.nodes, drafts, s.serverProblems));
  },

  setNodeRuns(nodeRuns) {
    set({ nodeRuns });
  },
}));
