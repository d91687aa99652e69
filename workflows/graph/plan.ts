// The compiled plan: what the interpreter workflow receives. Plain data and types only, so the
// workflow bundle can import it (no zod, no Node built-ins).
import type { ActivitySettings, NodeKind, ValueRef } from "../../nodes/sdk/types";

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
  runId: string;
  plan: Plan;
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
}

export interface RunNodeOutput {
  outputs: Record<string, ValueRef>;
  metrics: Record<string, unknown>;
  rows: number | null;
}
