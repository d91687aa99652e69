// The interpreter: one workflow runs every flow. It receives the frozen plan, runs each node as the
// generic runNode activity as soon as its inputs are ready (independent branches in parallel), and
// passes dataset references, never rows. Deterministic: no Node built-ins, no I/O, relative imports.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  defineQuery,
  executeChild,
  isCancellation,
  setHandler,
  sleep,
  workflowInfo,
} from "@temporalio/workflow";
import type { Defer, Hold, ValueRef } from "../nodes/sdk/types";
import { activitiesFor, downstreamOf, recordRun } from "./activity-proxies";
import { holderIdOf, type NodeState, type PlanNode, type RunFlowInput, type RunFlowResult } from "./graph/plan";
import { holdForEvent, type HoldInput } from "./hold-for-event";

export { holdForEvent };

/** Per-node status of a run, for anyone holding the workflow handle. */
export const nodeStatusQuery = defineQuery<Record<string, NodeState>>("nodeStatus");

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) {
    const cause = err.cause;
    // A timeout after the last retry says little on its own; name what timed out.
    if (cause.name === "TimeoutFailure") return `Timed out (${cause.message || "no heartbeat or result in time"}) after the last retry`;
    return cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export async function runFlow(input: RunFlowInput): Promise<RunFlowResult> {
  const { plan, trigger, part } = input;
  // A Temporal Schedule starts runs with no id in the store: the workflow id is the run's id, and
  // the first report creates the run. So does a journey's released part.
  const runId = input.runId ?? workflowInfo().workflowId;
  const scope = part ? new Set(part.scope) : null;
  const NOT_HERE = "Not in this part: see the run that held these customers";
  const states: Record<string, NodeState> = Object.fromEntries(
    plan.nodes.map((n) => [n.id, (scope && !scope.has(n.id) ? { status: "skipped", error: NOT_HERE } : { status: "queued" }) as NodeState]),
  );
  // Outputs this run reads but did not make (a released part's, from the run that held it).
  const outputsOf = (id: string) => states[id]!.outputs ?? part?.given[id];
  setHandler(nodeStatusQuery, () => states);
  const held = new Set<string>();
  const later: Promise<void>[] = []; // deferred parts' runs
  const create = !input.runId || part ? { plan, trigger: trigger ?? { kind: "manual" as const } } : undefined;
  // Not cancellable: a run cancelled before it starts must still reach its final bookkeeping.
  // A part's run shows the nodes before its step as done elsewhere, not as still to come.
  const elsewhere = scope ? plan.nodes.filter((n) => !scope.has(n.id)).map((n) => ({ id: n.id, status: "skipped" as const, error: NOT_HERE })) : undefined;
  await CancellationScope.nonCancellable(() => recordRun({ runId, status: "running", create, nodes: elsewhere }));

  const inputsOf = (node: PlanNode) => {
    const inputs: Record<string, ValueRef> = {};
    for (const [port, from] of Object.entries(node.inputs)) {
      const ref = outputsOf(from.node)?.[from.port];
      if (ref) inputs[port] = ref;
    }
    return inputs;
  };

  /**
   * Runs `scope` (the rest of the graph after a released part, or a deferred node and what follows
   * it) as a run of its own, reading `own` (the part's rows) and what the rest of this run made.
   */
  let parts = 0;
  async function runPart(node: PlanNode, label: string, scope: Set<string>, own: Record<string, Record<string, ValueRef>>): Promise<void> {
    const given = await readBy(scope, own);
    const childId = `${runId}.${node.id}.${++parts}`;
    await executeChild(runFlow, {
      workflowId: `run-${childId}`,
      args: [{ runId: childId, plan, trigger: { ...(trigger ?? { kind: "manual" }), parent: { runId, node: node.id, part: label } }, part: { scope: [...scope], given } }],
    });
  }
  /** What the `scope` nodes read from outside it, once made: `own`, else this run's outputs. */
  async function readBy(scope: Set<string>, own: Record<string, Record<string, ValueRef>> = {}): Promise<Record<string, Record<string, ValueRef>>> {
    const read = new Set(plan.nodes.filter((n) => scope.has(n.id)).flatMap((n) => Object.values(n.inputs).map((i) => i.node)));
    for (const id of scope) read.delete(id);
    await Promise.all([...read].filter((id) => !own[id]).map((id) => done.get(id)));
    return Object.fromEntries([...read].map((id) => [id, { ...outputsOf(id), ...own[id] }]));
  }
  /** The rest of the graph after `node`'s released outputs. */
  const runReleased = (node: PlanNode, outputs: Record<string, ValueRef>, label: string) => runPart(node, label, downstreamOf(plan, node.id, Object.keys(outputs)), { [node.id]: outputs });

  /** Rows a node put off (quiet hours): the node again for them at their time, and what follows it. */
  function runDeferred(node: PlanNode, deferred: Defer): Promise<void> {
    const scope = new Set([node.id, ...downstreamOf(plan, node.id)]);
    return Promise.all(
      deferred.map(async (d) => {
        await sleep(Math.max(0, d.at - Date.now()));
        const own: Record<string, Record<string, ValueRef>> = {};
        for (const [port, from] of Object.entries(node.inputs)) if (d.inputs[port]) own[from.node] = { ...own[from.node], [from.port]: d.inputs[port] };
        await runPart(node, d.label, scope, own);
      }),
    ).then(() => undefined);
  }

  /** A journey step holds its customers: release each part when its time (or its customers' event) comes. */
  async function release(node: PlanNode, hold: Hold): Promise<Record<string, unknown>> {
    if (hold.kind === "timer") {
      let part = 0;
      await Promise.all(
        hold.parts.map(async (p) => {
          await sleep(Math.max(0, p.at - Date.now()));
          // The step sees its part once more as it is due (who left the journey meanwhile stays behind).
          const out = await activitiesFor(node).runNode({ runId, node, inputs: p.outputs, phase: { kind: "released", part: ++part } });
          if (out.rows !== 0) await runReleased(node, out.outputs, p.label);
        }),
      );
      return { parts: hold.parts.length };
    }
    // Wait for event: held by a workflow of its own, which can continue as new through a long wait.
    const paths: HoldInput["paths"] = {};
    for (const [kind, port] of [["released", hold.ports.released], ["timed out", hold.ports.timedOut]] as const) {
      const scope = downstreamOf(plan, node.id, [port]);
      const given = await readBy(scope, { [node.id]: {} });
      delete given[node.id];
      paths[kind] = { scope: [...scope], given };
    }
    return executeChild(holdForEvent, {
      workflowId: holderIdOf(runId, node.id),
      args: [{ runId, plan, trigger, node, inputs: inputsOf(node), deadline: hold.deadline, paths }],
    });
  }

  async function runOne(node: PlanNode, upstream: boolean[]): Promise<boolean> {
    if (scope && !scope.has(node.id)) return outputsOf(node.id) !== undefined;
    if (!upstream.every(Boolean)) {
      if (states[node.id]!.status === "queued") states[node.id] = { status: CancellationScope.current().consideredCancelled ? "cancelled" : "skipped" };
      return false;
    }
    states[node.id] = { status: "running" };
    try {
      const out = await activitiesFor(node).runNode({
        runId,
        node,
        inputs: inputsOf(node),
        ...(node.kind === "trigger" ? { trigger: trigger ?? { kind: "manual" } } : {}),
        // A sample run: the activity cuts sources' tables and keeps models trained apart.
        ...(trigger?.sample ? { sample: trigger.sample } : {}),
      });
      if (out.hold) {
        // What follows runs in the released parts' runs, not here.
        for (const id of downstreamOf(plan, node.id)) states[id] = { status: "skipped", error: `Runs for each part ${node.label} releases` };
        states[node.id] = { status: "waiting", metrics: out.metrics };
        held.add(node.id); // its row says waiting until the report at the end
        const metrics = await release(node, out.hold);
        states[node.id] = { status: "succeeded", metrics: { ...out.metrics, ...metrics } };
        return false;
      }
      states[node.id] = { status: "succeeded", outputs: out.outputs, metrics: out.metrics };
      if (out.defer?.length) later.push(runDeferred(node, out.defer));
      return true;
    } catch (err) {
      states[node.id] = isCancellation(err) ? { status: "cancelled" } : { status: "failed", error: failureMessage(err) };
      return false;
    }
  }

  // Plan order is dependency order, so every upstream promise exists before it is awaited.
  const done = new Map<string, Promise<boolean>>();
  for (const node of plan.nodes) {
    const upstream = Object.values(node.inputs).map((i) => done.get(i.node)!);
    done.set(node.id, Promise.all(upstream).then((oks) => runOne(node, oks)));
  }
  await Promise.all(done.values());
  await Promise.all(later);

  const settled = plan.nodes
    .filter((n) => states[n.id]!.status !== "succeeded" || held.has(n.id))
    .map((n) => ({ id: n.id, status: states[n.id]!.status, error: states[n.id]!.error }));
  const failed = settled.filter((n) => n.status === "failed");

  if (CancellationScope.current().consideredCancelled) {
    await CancellationScope.nonCancellable(() => recordRun({ runId, status: "cancelled", error: "Cancelled", nodes: settled }));
    throw new CancelledFailure("Run cancelled");
  }
  if (failed.length) {
    const error = failed.map((n) => `${n.id}: ${n.error}`).join("; ");
    await recordRun({ runId, status: "failed", error, nodes: settled });
    throw ApplicationFailure.nonRetryable(`${failed.length} node${failed.length > 1 ? "s" : ""} failed: ${error}`, "FlowFailed", { runId, nodes: states });
  }
  await recordRun({ runId, status: "succeeded", nodes: settled });
  return { runId, status: "succeeded", nodes: states };
}
