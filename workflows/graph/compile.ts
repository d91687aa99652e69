// Graph -> immutable plan: dependency order, parsed configs, and the activity settings of each
// node (kind defaults from temporal.config.ts, then the node's own, then the graph node's options).
import { BadRequest, Precondition } from "../../lib/errors";
import temporalConfig from "../../temporal.config";
import { parseTypeRef } from "./schema";
import type { Plan, PlanNode } from "./plan";
import { problemsText } from "./problems";
import { topoOrder } from "./topo";
import { validateGraph, type GraphProblem, type NodeLookup } from "./validate";

export class GraphInvalidError extends BadRequest {
  readonly problems: GraphProblem[];
  constructor(problems: GraphProblem[]) {
    super(problemsText(problems));
    this.problems = problems;
  }
}

export function compileGraph(raw: unknown, nodes: NodeLookup, flow: { id: string; version: number }): Plan {
  const result = validateGraph(raw, nodes);
  if (!result.ok) throw new GraphInvalidError(result.problems);
  const graph = result.graph;

  const inputs = new Map<string, PlanNode["inputs"]>(graph.nodes.map((n) => [n.id, {}]));
  for (const e of graph.edges) inputs.get(e.target)![e.targetHandle] = { node: e.source, port: e.sourceHandle };
  // Validation refused cycles, so every node is in the order.
  const { order } = topoOrder(graph.nodes, graph.edges);

  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const planNodes = order.map((id): PlanNode => {
    const node = byId.get(id)!;
    const ref = parseTypeRef(node.type)!;
    const def = nodes.get(ref.type, ref.version)!;
    return Object.freeze({
      id,
      type: ref.type,
      version: ref.version,
      kind: def.kind,
      label: node.label ?? def.label,
      config: def.config.parse(node.config),
      inputs: inputs.get(id)!,
      activity: { ...temporalConfig.nodeDefaults[def.kind], ...def.activity, ...node.options },
    });
  });

  return Object.freeze({ flowId: flow.id, flowName: graph.name, flowVersion: flow.version, nodes: planNodes });
}

/**
 * The plan cut to one node and every node it needs (its inputs, their inputs...), in the same
 * order: "run up to here". BadRequest naming the node when the plan has none by that id.
 */
export function planUpTo(plan: Plan, nodeId: string): Plan {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  if (!byId.has(nodeId)) throw new BadRequest(`Flow "${plan.flowId}" version ${plan.flowVersion} has no node "${nodeId}" to run up to`);
  const needed = new Set<string>();
  const visit = (id: string) => {
    if (needed.has(id)) return;
    needed.add(id);
    for (const from of Object.values(byId.get(id)!.inputs)) visit(from.node);
  };
  visit(nodeId);
  return { ...plan, nodes: plan.nodes.filter((n) => needed.has(n.id)) };
}

/** Rows per source in a sample run unless asked otherwise, and the seed that picks them. */
export const SAMPLE_ROWS = 1000;
export const SAMPLE_SEED = 1;

/**
 * A sample run must never act on real customers: refused (Precondition, naming them) when the
 * nodes it would run include an action (e-mail, webhook, sync, write-back...). Checked before the
 * run is created, so nothing starts.
 */
export function refuseSampleActions(plan: Plan): void {
  const actions = plan.nodes.filter((n) => n.kind === "action");
  if (!actions.length) return;
  const names = actions.map((n) => `"${n.label}"`).join(", ");
  throw new Precondition(
    `A run on a sample never acts on customers, and this one would run ${actions.length === 1 ? "the action" : "the actions"} ${names}. Run up to a node before ${actions.length === 1 ? "it" : "them"}, or run on the full data.`,
  );
}
