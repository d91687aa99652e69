// The compiled plan: what the interpreter workflow receives. Plain data and types only, so the
// workflow bundle can import it (no zod, no Node built-ins).
import type { ActivitySettings, Defer, Hold, NodeKind, RunTrigger as NodeRunTrigger, TriggerKind, ValueRef } from "../../nodes/sdk/types";

export type { TriggerKind };

/**
 * A sample run ("Run up to here on a sample"): every source's and trigger's table outputs are cut
 * to `rows` rows picked by `seed` (the same rows each time), in their original order.
 */
export interface RunSample {
  rows: number;
  seed: number;
}

/** What started a run, as recorded with it; `sample` when it ran on a sample of each source. */
export interface RunTrigger extends NodeRunTrigger {
  sample?: RunSample;
}

export interface PlanNode {
  id: string;
  /** `kind.name` without the version. */
  type: string;
  version: number;
  kind: NodeKind;
  label: string;
  /** The config after parsing (defaults applied). Parsed again by the activity, which is the authority. */
  config: unknown;
  /** Input port -> the upstream node and output port it reads. */
  inputs: Record<string, { node: string; port: string }>;
  activity: Required<ActivitySettings>;
}

export interface Plan {
  flowId: string;
  flowName: string;
  flowVersion: number;
  /** In dependency order: every node comes after the nodes it reads from. */
  nodes: PlanNode[];
}

import type { NodeStatus, RunStatus } from "./status";

export type { NodeStatus, RunStatus };

export interface NodeState {
  status: NodeStatus;
  outputs?: Record<string, ValueRef>;
  metrics?: Record<string, unknown>;
  error?: string;
}

export interface RunFlowInput {
  /** The run's id in the store; a run started by a Temporal Schedule has none and uses its workflow id. */
  runId?: string;
  plan: Plan;
  /** Absent: started by hand. */
  trigger?: RunTrigger;
  /**
   * A journey's released (or deferred) part: only the `scope` nodes run, reading `given` (the
   * outputs, for this part, of the nodes outside the scope that they read).
   */
  part?: { scope: string[]; given: Record<string, Record<string, ValueRef>> };
}

export interface RunFlowResult {
  runId: string;
  status: RunStatus;
  nodes: Record<string, NodeState>;
}

/** What the generic activity receives for one node. */
export interface RunNodeInput {
  runId: string;
  node: PlanNode;
  inputs: Record<string, ValueRef>;
  /** Given to trigger nodes: what started the run. */
  trigger?: RunTrigger;
  /** A sample run: source and trigger nodes' tables are cut to a sample; models trained are kept apart. */
  sample?: RunSample;
  /** Journey steps holding customers until their event: which part this call outputs (`part` numbers the run's takes). */
  phase?: { kind: "released" | "timed out"; part: number };
}

export interface RunNodeOutput {
  outputs: Record<string, ValueRef>;
  metrics: Record<string, unknown>;
  rows: number | null;
  /** A journey step holds its customers: the rest of the graph runs per released part. */
  hold?: Hold;
  /** Rows the node put off: it runs again for each part at its time. */
  defer?: Defer;
}

/** The workflow holding a wait-for-event step's customers (workflows/hold-for-event.ts), which the inbox pump signals. */
export const holderIdOf = (runId: string, nodeId: string) => `hold-${runId}.${nodeId}`;
