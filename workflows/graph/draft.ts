// Drafts: versions saved with problems, so no work is lost. A draft never runs; what says so is
// worded here once, for the run router, the trigger pump and the editor. Pure.

export interface DraftProblem {
  nodeId?: string;
  edgeId?: string;
  message: string;
}

/** "csv-file-1 › skipRows: "abc" is not a number" */
export function problemLine(p: DraftProblem): string {
  const where = p.nodeId ?? (p.edgeId ? `connection ${p.edgeId}` : null);
  return `${where ? `${where} › ` : ""}${p.message.trim().replace(/[.!?]$/, "")}`;
}

/** The first `n` problems on one line: "a; b; and 3 more". */
export function firstProblems(problems: readonly DraftProblem[], n = 2): string {
  const shown = problems.slice(0, n).map(problemLine);
  const rest = problems.length - shown.length;
  return `${shown.join("; ")}${rest > 0 ? `; and ${rest} more` : ""}`;
}

/**
 * Why a draft does not run, naming the flow, the version and its first problems:
 * 'Version 4 of flow "Win back" (win-back) is a draft with 3 problems and never runs. First: ...'
 */
export function draftRunRefusal(flow: { id: string; name: string }, version: number, problems: readonly DraftProblem[], fallback?: number | null): string {
  const n = problems.length;
  const head = `Version ${version} of flow "${flow.name}" (${flow.id}) is a draft with ${n} problem${n === 1 ? "" : "s"} and never runs.`;
  const first = `${n > 1 ? "First: " : ""}${firstProblems(problems)}.`;
  const next = fallback ? ` Fix ${n === 1 ? "it" : "them"} and save, or run version ${fallback}, the latest without problems.` : ` Fix ${n === 1 ? "it" : "them"} and save.`;
  return `${head} ${first}${next}`;
}
