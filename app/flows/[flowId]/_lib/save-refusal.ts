// What the editor says when it will not save: how many problems, and the first one named by its
// node and field, so the user knows where to look without opening the list.

export interface NamedProblem {
  nodeId?: string;
  edgeId?: string;
  message: string;
  /** A field's text that is not a valid value: never sent, so it is named first. */
  draft?: boolean;
}

/** "Not saved: 2 problems to fix first. First: Customers (csv-file-1) › Skip rows: Enter a whole number." */
export function saveRefusal(problems: readonly NamedProblem[], nodeName: (nodeId: string) => string): string | null {
  if (!problems.length) return null;
  const first = problems.find((p) => p.draft) ?? problems[0]!;
  const where = first.nodeId ? nodeName(first.nodeId) : first.edgeId ? "A connection" : "The flow";
  const n = problems.length;
  const count = `${n} problem${n > 1 ? "s" : ""} to fix first`;
  const message = first.message.trim();
  return `Not saved: ${count}. ${n > 1 ? "First: " : ""}${where} › ${message}${/[.!?]$/.test(message) ? "" : "."}`;
}

/** A node as the editor shows it: its own name, else its type's label, with its id. */
export function nodeDisplayName(id: string, label: string | undefined): string {
  return label && label !== id ? `${label} (${id})` : id;
}
