// Whether an output may feed an input. Pure: the canvas asks while the user drags a connection,
// and validateGraph asks again on save and run, so both give the same reason in the same words.

export interface PortEnd {
  nodeId: string;
  port: string;
  /** The port's data type (`table`, `model`); undefined when the node has no such port. */
  type: string | undefined;
}

export function connectionProblem(from: PortEnd, to: PortEnd, opts: { inputTaken?: boolean } = {}): string | null {
  if (from.nodeId === to.nodeId) return "A node cannot feed itself";
  if (from.type === undefined) return `"${from.nodeId}" has no output "${from.port}"`;
  if (to.type === undefined) return `"${to.nodeId}" has no input "${to.port}"`;
  if (from.type !== to.type) {
    return `Cannot connect ${from.type} output "${from.nodeId}.${from.port}" to ${to.type} input "${to.port}" of "${to.nodeId}": they carry different kinds of data`;
  }
  if (opts.inputTaken) return `Input "${to.port}" of "${to.nodeId}" already has a connection`;
  return null;
}
