// What changed between two versions of a flow: nodes added and removed, settings changed (label,
// type, each config field, retry options) with old and new values, connections added and removed,
// and the name and description. Moving a node is not a change worth listing. Pure, shared by the
// editor's History and its tests.

/** The parts of a graph the diff reads (a saved FlowGraph, or a draft's). */
export interface DiffGraph {
  name: string;
  description?: string | null;
  /** A node's position is read by no one: moving a node is not a change. */
  nodes: readonly { id: string; type: string; label?: string; config?: Record<string, unknown>; options?: Record<string, unknown>; position?: unknown }[];
  edges?: readonly DiffEdge[];
}

export interface DiffEdge {
  /** Ignored: a connection is the ports it joins. */
  id?: string;
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
}

export interface DiffNode {
  id: string;
  type: string;
  label?: string;
}

export interface SettingChange {
  /** "label" and "type" are the node's own; "config" and "options" name a field by `field`. */
  part: "label" | "type" | "config" | "options";
  /** The field's path in its part ("keys", "source.path"); the part's name for label and type. */
  field: string;
  /** undefined: not set. */
  from: unknown;
  to: unknown;
}

export interface GraphDiff {
  name: { from: string; to: string } | null;
  description: { from: string | null; to: string | null } | null;
  nodesAdded: DiffNode[];
  nodesRemoved: DiffNode[];
  /** Nodes in both versions whose settings differ, in the newer version's order. */
  nodesChanged: { node: DiffNode; changes: SettingChange[] }[];
  edgesAdded: DiffEdge[];
  edgesRemoved: DiffEdge[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON with sorted keys: equal values, equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (isPlainObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v)) ?? "undefined";
}

/** Leaf changes between two values: objects field by field, anything else (lists too) as a whole. */
function valueChanges(from: unknown, to: unknown, path: string, out: { field: string; from: unknown; to: unknown }[]): void {
  if (isPlainObject(from) && isPlainObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    for (const k of keys) valueChanges(from[k], to[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (canonical(from) !== canonical(to)) out.push({ field: path, from, to });
}

const ref = (n: DiffGraph["nodes"][number]): DiffNode => ({ id: n.id, type: n.type, ...(n.label ? { label: n.label } : {}) });

export const edgeKey = (e: DiffEdge) => `${e.source}.${e.sourceHandle}->${e.target}.${e.targetHandle}`;

const plainEdge = (e: DiffEdge): DiffEdge => ({ source: e.source, sourceHandle: e.sourceHandle, target: e.target, targetHandle: e.targetHandle });

export function diffGraphs(from: DiffGraph, to: DiffGraph): GraphDiff {
  const before = new Map(from.nodes.map((n) => [n.id, n]));
  const after = new Map(to.nodes.map((n) => [n.id, n]));
  const nodesChanged: GraphDiff["nodesChanged"] = [];
  for (const n of to.nodes) {
    const old = before.get(n.id);
    if (!old) continue;
    const changes: SettingChange[] = [];
    if ((old.label ?? "") !== (n.label ?? "")) changes.push({ part: "label", field: "label", from: old.label, to: n.label });
    if (old.type !== n.type) changes.push({ part: "type", field: "type", from: old.type, to: n.type });
    for (const part of ["config", "options"] as const) {
      const found: { field: string; from: unknown; to: unknown }[] = [];
      valueChanges(old[part] ?? {}, n[part] ?? {}, "", found);
      changes.push(...found.map((c) => ({ part, ...c })));
    }
    if (changes.length) nodesChanged.push({ node: ref(n), changes });
  }
  const edgesBefore = new Map((from.edges ?? []).map((e) => [edgeKey(e), e]));
  const edgesAfter = new Map((to.edges ?? []).map((e) => [edgeKey(e), e]));
  const description = { from: from.description || null, to: to.description || null };
  return {
    name: from.name !== to.name ? { from: from.name, to: to.name } : null,
    description: description.from !== description.to ? description : null,
    nodesAdded: to.nodes.filter((n) => !before.has(n.id)).map(ref),
    nodesRemoved: from.nodes.filter((n) => !after.has(n.id)).map(ref),
    nodesChanged,
    edgesAdded: [...edgesAfter].filter(([k]) => !edgesBefore.has(k)).map(([, e]) => plainEdge(e)),
    edgesRemoved: [...edgesBefore].filter(([k]) => !edgesAfter.has(k)).map(([, e]) => plainEdge(e)),
  };
}

/** How many things changed (each setting, node, connection, the name and the description count one). */
export function changeCount(d: GraphDiff): number {
  return (
    (d.name ? 1 : 0) +
    (d.description ? 1 : 0) +
    d.nodesAdded.length +
    d.nodesRemoved.length +
    d.nodesChanged.reduce((n, c) => n + c.changes.length, 0) +
    d.edgesAdded.length +
    d.edgesRemoved.length
  );
}

const MAX_VALUE = 80;

/** A setting's value as the History shows it: `not set`, `"abc"`, `3`, `["a","b"]` (long ones cut with …). */
export function formatValue(v: unknown): string {
  if (v === undefined) return "not set";
  const text = typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
