// Dependency order of a graph, pure and without imports (the workflow bundle and the server share it).

export interface TopoOrder {
  /** Every node after the nodes feeding it. */
  order: string[];
  /** Nodes left out because they are on a cycle or fed (directly or not) by one, in graph order. */
  cyclic: string[];
}

/**
 * Kahn's algorithm: the nodes nothing feeds come first, in the order the graph lists them; then a
 * node joins the queue as soon as the last node feeding it is taken, and the queue is taken first in,
 * first out (nodes freed by one node join in the order of its edges). The same order on the same
 * graph every time, so plans are stable. Edges naming a node that is not in `nodes` are ignored;
 * a node listed twice counts once, at its first place.
 */
export function topoOrder(nodes: readonly { id: string }[], edges: readonly { source: string; target: string }[]): TopoOrder {
  const indegree = new Map<string, number>();
  for (const n of nodes) if (!indegree.has(n.id)) indegree.set(n.id, 0);
  const downstream = new Map<string, string[]>([...indegree.keys()].map((id) => [id, []]));
  for (const e of edges) {
    if (!indegree.has(e.source) || !indegree.has(e.target)) continue;
    indegree.set(e.target, indegree.get(e.target)! + 1);
    downstream.get(e.source)!.push(e.target);
  }

  const order: string[] = [];
  const ready = [...indegree].filter(([, n]) => n === 0).map(([id]) => id);
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const next of downstream.get(id)!) {
      const left = indegree.get(next)! - 1;
      indegree.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const placed = new Set(order);
  return { order, cyclic: [...indegree.keys()].filter((id) => !placed.has(id)) };
}
