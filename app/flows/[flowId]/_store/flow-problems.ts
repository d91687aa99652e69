// The editor's problems: the server's (the last validation or refused save) and those of fields
// holding text that is not a valid value (drafts), kept together by node. Pure.
import type { GraphProblem } from "../../../../workflows/graph/validate";
import type { CanvasNode } from "../_lib/canvas-graph";
import { hasAt, indexOf } from "../_lib/value-path";

/**
 * What a field holds that is not in the config: text that is not a valid value ("abc", or a number
 * out of range), kept so it stays on screen and Save can refuse it by name instead of saving the
 * old value as if nothing had changed.
 */
export interface FieldDraft {
  text: string;
  /** The field's label, for naming the problem ("Skip rows"). */
  label: string;
  message: string;
}

/** A problem of the flow as the editor knows it: the server's, or a field's draft (`draft: true`, message "Label: problem"). */
export interface EditorProblem extends GraphProblem {
  draft?: boolean;
}

/** Drafts by node id, then by field path. */
export type Drafts = Record<string, Record<string, FieldDraft>>;

/** The drafts still shown and the problem list with them (drafts first), also by node. */
export interface DraftProblems {
  drafts: Drafts;
  problems: EditorProblem[];
  problemsByNode: Record<string, EditorProblem[]>;
}

function groupProblems(problems: EditorProblem[]): Record<string, EditorProblem[]> {
  const by: Record<string, EditorProblem[]> = {};
  for (const p of problems) if (p.nodeId) (by[p.nodeId] ??= []).push(p);
  return by;
}

/** Whether a draft's field is still there: its node exists, and every list item on its path does. */
function draftStillShown(nodes: readonly CanvasNode[], nodeId: string, path: string): boolean {
  const node = nodes.find((n) => n.id === nodeId);
  if (!node) return false;
  const segs = path.split(".");
  return segs.every((seg, i) => indexOf(seg) === undefined || hasAt(node.data.config, segs.slice(0, i + 1)));
}

/** The drafts whose fields are still there, and the problem list with them. */
export function withDrafts(nodes: readonly CanvasNode[], drafts: Drafts, serverProblems: GraphProblem[]): DraftProblems {
  const kept: Drafts = {};
  const fromDrafts: EditorProblem[] = [];
  for (const [nodeId, fields] of Object.entries(drafts)) {
    for (const [path, d] of Object.entries(fields)) {
      if (!draftStillShown(nodes, nodeId, path)) continue;
      (kept[nodeId] ??= {})[path] = d;
      fromDrafts.push({ nodeId, field: path, message: `${d.label}: ${d.message}`, draft: true });
    }
  }
  const problems = [...fromDrafts, ...serverProblems];
  return { drafts: kept, problems, problemsByNode: groupProblems(problems) };
}
