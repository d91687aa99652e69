// How a graph's problems read as text: in GraphInvalidError's message and in the CLI. Pure, so the
// CLI can print them without the compiler.
import type { GraphProblem } from "./validate";

export function formatProblem(p: GraphProblem): string {
  const where = [p.nodeId && `node "${p.nodeId}"`, p.edgeId && !p.nodeId && `edge "${p.edgeId}"`, p.field && `field "${p.field}"`]
    .filter(Boolean)
    .join(", ");
  return `  - ${where ? `${where}: ` : ""}${p.message}`;
}

export function problemsText(problems: readonly GraphProblem[]): string {
  return `The flow has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map(formatProblem).join("\n")}`;
}
