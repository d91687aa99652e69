// Every problem of a graph, each with the node (or edge) and the field it is about. Pure: the
// same function guards save (API, CLI) and run.
import type { z } from "zod";
import { portOptional, portType, type NodeDefinition } from "../../nodes/sdk";
import { connectionProblem } from "./connect";
import { flowGraphSchema, parseTypeRef, type FlowGraph } from "./schema";

export interface NodeLookup {
  get(type: string, version: number): NodeDefinition | undefined;
  versions(type: string): number[];
}

export interface GraphProblem {
  nodeId?: string;
  edgeId?: string;
  /** Path of the field inside the node's config (e.g. `keys.0`), or of the graph (e.g. `nodes.2.type`). */
  field?: string;
  message: string;
}

export type ValidationResult = { ok: true; graph: FlowGraph; problems: [] } | { ok: false; graph?: FlowGraph; problems: GraphProblem[] };

function pathString(path: PropertyKey[]): string {
  return path.map(String).join(".");
}

function structuralProblems(raw: unknown, error: z.ZodError): GraphProblem[] {
  const nodes = (raw as { nodes?: unknown })?.nodes;
  const edges = (raw as { edges?: unknown })?.edges;
  return error.issues.map((issue) => {
    const [top, index, ...rest] = issue.path;
    const problem: GraphProblem = { field: pathString(issue.path), message: issue.message };
    if (top === "nodes" && typeof index === "number" && Array.isArray(nodes)) {
      const id = (nodes[index] as { id?: unknown })?.id;
      if (typeof id === "string") {
        problem.nodeId = id;
        problem.field = pathString(rest);
      }
    }
    if (top === "edges" && typeof index === "number" && Array.isArray(edges)) {
      const id = (edges[index] as { id?: unknown })?.id;
      problem.edgeId = typeof id === "string" ? id : `edges.${index}`;
      problem.field = pathString(rest);
    }
    return problem;
  });
}

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export function edgeLabel(e: { id?: string; source: string; sourceHandle: string; target: string; targetHandle: string }): string {
  return e.id ?? `${e.source}.${e.sourceHandle}->${e.target}.${e.targetHandle}`;
}

export function validateGraph(raw: unknown, nodes: NodeLookup): ValidationResult {
  const parsed = flowGraphSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: structuralProblems(raw, parsed.error) };
  const graph = parsed.data;
  const problems: GraphProblem[] = [];

  const defs = new Map<string, NodeDefinition>();
  const seen = new Set<string>();
  for (const node of graph.nodes) {
    if (seen.has(node.id)) {
      problems.push({ nodeId: node.id, field: "id", message: `Two nodes have the id "${node.id}"; ids must be unique` });
      continue;
    }
    seen.add(node.id);
    const ref = parseTypeRef(node.type)!;
    const def = nodes.get(ref.type, ref.version);
    if (!def) {
      const known = nodes.versions(ref.type);
      problems.push({
        nodeId: node.id,
        field: "type",
        message: known.length
          ? `${ref.type} has no version ${ref.version} (known: ${known.join(", ")})`
          : `Unknown node type "${ref.type}"`,
      });
      continue;
    }
    defs.set(node.id, def);
    const config = def.config.safeParse(node.config);
    if (!config.success) {
      for (const issue of config.error.issues) {
        const field = pathString(issue.path);
        // zod says "expected string, received undefined"; a marketer needs to hear that it is missing.
        const value = valueAt(node.config, issue.path);
        const missing = issue.code === "invalid_type" && field !== "" && value === undefined;
        // Text kept in a number field (a draft saved as typed): say what it is, not zod's "expected number, received string".
        const text = issue.code === "invalid_type" && issue.expected === "number" && typeof value === "string";
        const message = missing ? "required" : text ? `${JSON.stringify(value)} is not a number` : issue.message;
        problems.push({ nodeId: node.id, field: field || "config", message: field ? `${field}: ${message}` : message });
      }
    }
  }

  const incoming = new Map<string, Set<string>>();
  const adjacency = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const edge of graph.edges) {
    const edgeId = edgeLabel(edge);
    const from = defs.get(edge.source);
    const to = defs.get(edge.target);
    if (!seen.has(edge.source)) problems.push({ edgeId, field: "source", message: `Edge starts at unknown node "${edge.source}"` });
    if (!seen.has(edge.target)) problems.push({ edgeId, field: "target", message: `Edge ends at unknown node "${edge.target}"` });
    if (!from || !to) continue;
    const out = from.outputs[edge.sourceHandle];
    const inp = to.inputs[edge.targetHandle];
    if (!out) {
      problems.push({ nodeId: edge.source, edgeId, field: "sourceHandle", message: `${from.label} has no output "${edge.sourceHandle}"` });
      continue;
    }
    if (!inp) {
      problems.push({ nodeId: edge.target, edgeId, field: "targetHandle", message: `${to.label} has no input "${edge.targetHandle}"` });
      continue;
    }
    const ports = incoming.get(edge.target) ?? new Set<string>();
    const problem = connectionProblem(
      { nodeId: edge.source, port: edge.sourceHandle, type: portType(out) },
      { nodeId: edge.target, port: edge.targetHandle, type: portType(inp) },
      { inputTaken: ports.has(edge.targetHandle) },
    );
    if (problem) {
      problems.push({ nodeId: edge.target, edgeId, field: edge.targetHandle, message: problem });
      continue;
    }
    ports.add(edge.targetHandle);
    incoming.set(edge.target, ports);
    adjacency.get(edge.source)!.push(edge.target);
  }

  for (const [id, def] of defs) {
    for (const [port, spec] of Object.entries(def.inputs)) {
      if (!portOptional(spec) && !incoming.get(id)?.has(port)) {
        problems.push({ nodeId: id, field: port, message: `Input "${port}" needs a connection` });
      }
    }
  }

  for (const cycle of findCycles(adjacency)) {
    for (const id of cycle) problems.push({ nodeId: id, message: `Part of a cycle: ${[...cycle, cycle[0]].join(" -> ")}` });
  }

  // One trigger says what starts the flow; two would each claim its runs.
  const triggerNodes = [...defs].filter(([, d]) => d.kind === "trigger").map(([id]) => id);
  for (const id of triggerNodes.slice(1)) {
    problems.push({ nodeId: id, message: `A flow starts from one trigger; this flow already has "${triggerNodes[0]}". Remove one of them` });
  }

  return problems.length ? { ok: false, graph, problems } : { ok: true, graph, problems: [] };
}

/** Strongly connected components with more than one node (or a self-loop), by Tarjan's algorithm. */
function findCycles(adjacency: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const cycles: string[][] = [];

  // Iterative, so a long chain cannot overflow the call stack.
  for (const start of adjacency.keys()) {
    if (idx.has(start)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: start, i: 0 }];
    idx.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const next = adjacency.get(frame.v)!;
      if (frame.i < next.length) {
        const w = next[frame.i++]!;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v)!, idx.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.v;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.v)!));
      }
      if (low.get(frame.v) === idx.get(frame.v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.v);
        if (component.length > 1 || adjacency.get(frame.v)!.includes(frame.v)) cycles.push(component.reverse());
      }
    }
  }
  return cycles;
}
