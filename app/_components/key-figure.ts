// The one figure a finished node's card shows next to its rows and time: what a marketer would
// look for first (ROC AUC with its reading, duplicates removed, segments found, rows kept).
import { aucGrade } from "./readings";

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const count = (n: number) => n.toLocaleString("en-US");

export function keyFigure(metrics: Record<string, unknown> | null | undefined): string | null {
  if (!metrics) return null;
  const auc = num(metrics.rocAuc);
  if (auc !== undefined) return `ROC AUC ${auc.toFixed(3)} · ${aucGrade(auc)}`;
  const accuracy = num(metrics.accuracy);
  if (accuracy !== undefined && metrics.classes) return `accuracy ${(accuracy * 100).toFixed(1)} %`;
  const dupes = num(metrics.duplicatesRemoved);
  if (dupes !== undefined) return dupes === 1 ? "1 duplicate removed" : `${count(dupes)} duplicates removed`;
  const k = num(metrics.k);
  if (k !== undefined && metrics.silhouette !== undefined) return `${k} segments`;
  const rowsIn = num(metrics.rowsIn);
  const rowsOut = num(metrics.rowsOut);
  if (rowsIn !== undefined && rowsOut !== undefined && rowsOut < rowsIn) return `${count(rowsOut)} of ${count(rowsIn)} kept`;
  return null;
}

/** The warnings a node reported (e.g. a column of numbers read as text), for a badge on its card. */
export function nodeWarnings(metrics: Record<string, unknown> | null | undefined): string[] {
  const w = metrics?.warnings;
  return Array.isArray(w) ? w.filter((x): x is string => typeof x === "string") : [];
}
