// The saved graph. Edges use React Flow's shape (source/sourceHandle/target/targetHandle) so the
// canvas stores what it draws.
import { z } from "zod";

const ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** A flow's id: lower-case letters, digits and -, derived from its name when it is created. */
export const FLOW_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const TYPE_REF = /^([a-z][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+)@([1-9][0-9]*)$/;
const DURATION = /^\d+(\.\d+)?\s*(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?)$/;

export const nodeOptionsSchema = z
  .object({
    startToCloseTimeout: z.string().regex(DURATION, "a duration such as \"30 seconds\" or \"5m\"").optional(),
    heartbeatTimeout: z.string().regex(DURATION, "a duration such as \"30 seconds\" or \"5m\"").optional(),
    maximumAttempts: z.number().int().min(1).max(100).optional(),
    initialInterval: z.string().regex(DURATION).optional(),
    backoffCoefficient: z.number().min(1).max(10).optional(),
    maximumInterval: z.string().regex(DURATION).optional(),
  })
  .strict();

export const graphNodeSchema = z.object({
  id: z.string().regex(ID, "a letter, then letters, digits, - or _ (at most 64)"),
  /** `kind.name@version`, e.g. `transform.dedupe@1`. */
  type: z.string().regex(TYPE_REF, "`kind.name@version`, e.g. transform.dedupe@1"),
  label: z.string().max(200).optional(),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  config: z.record(z.string(), z.unknown()).default({}),
  options: nodeOptionsSchema.optional(),
});

export const graphEdgeSchema = z.object({
  id: z.string().min(1).optional(),
  source: z.string().min(1),
  sourceHandle: z.string().min(1),
  target: z.string().min(1),
  targetHandle: z.string().min(1),
});

export const flowGraphSchema = z.object({
  name: z.string().trim().min(1, "a flow needs a name").max(200),
  description: z.string().max(5000).optional(),
  nodes: z.array(graphNodeSchema).max(5000),
  edges: z.array(graphEdgeSchema).max(20000).default([]),
});

export type GraphNode = z.infer<typeof graphNodeSchema>;
export type GraphEdge = z.infer<typeof graphEdgeSchema>;
export type FlowGraph = z.infer<typeof flowGraphSchema>;
export type FlowGraphInput = z.input<typeof flowGraphSchema>;

export function parseTypeRef(ref: string): { type: string; version: number } | null {
  const m = TYPE_REF.exec(ref);
  return m ? { type: m[1]!, version: Number(m[2]) } : null;
}
