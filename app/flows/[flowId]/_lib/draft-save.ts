// Drafts in the editor: what it knows of the saved version (a draft or not, what runs meanwhile)
// and how it says so. Pure, so the words are unit tested.
import { saveRefusal, type NamedProblem } from "./save-refusal";

/** What the server said of the version the editor has: a draft or not, and what runs meanwhile. */
export interface SavedMeta {
  /** How many problems the version was saved with: more than 0 makes it a draft, which never runs. */
  draftProblems: number;
  /** The newest version without problems: what schedules and triggers run (null: none yet). */
  latestValidVersion: number | null;
  /** What starts the flow by itself, and the version it starts. */
  trigger: { kind: string; version: number } | null;
}

export const NO_META: SavedMeta = { draftProblems: 0, latestValidVersion: null, trigger: null };

/** The meta of a server answer (flow.get, flow.save, flow.restore). */
export function metaOf(v: { problems: readonly unknown[] | null; latestValidVersion: number | null; trigger: SavedMeta["trigger"] }): SavedMeta {
  return { draftProblems: v.problems?.length ?? 0, latestValidVersion: v.latestValidVersion, trigger: v.trigger };
}

/** A field's text as a config value: a number when it reads as one exactly ("-1"), else the text as typed ("abc"). */
export function draftValue(text: string): unknown {
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) && String(n) === text ? n : text;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "v4 · draft, 3 problems · saved", "v2 · unsaved changes", "never saved". */
export function saveStateText(version: number, meta: SavedMeta, unsaved: boolean): string {
  const base = version ? `v${version}` : "never saved";
  const draft = version && meta.draftProblems ? ` · draft, ${plural(meta.draftProblems, "problem")}` : "";
  return `${base}${draft}${unsaved ? " · unsaved changes" : " · saved"}`;
}

/** While the saved version is a draft: what runs instead. Null when it is not a draft. */
export function whatRunsText(meta: SavedMeta): string | null {
  if (!meta.draftProblems) return null;
  const t = meta.trigger;
  if (t) return `${t.kind === "schedule" ? "The schedule" : `The ${t.kind} trigger`} keeps running version ${t.version}, the latest version without problems.`;
  return meta.latestValidVersion ? `Version ${meta.latestValidVersion} is the latest version that can run.` : "No version of this flow can run yet.";
}

/** What the editor says when it opens a draft: 'Version 3 is a draft with 1 problem: it will not run until…' */
export function draftOpenedText(version: number, meta: SavedMeta): string {
  const n = meta.draftProblems;
  return `Version ${version} is a draft with ${plural(n, "problem")}: it will not run until ${n === 1 ? "it is" : "they are"} fixed. ${whatRunsText(meta) ?? ""}`.trim();
}

/**
 * What Save says of a draft: 'Saved as version 4, a draft with 1 problem: it will not run until
 * it is fixed. CSV file (csv-file-1) › skipRows: "abc" is not a number. The event trigger keeps…'
 */
export function draftSavedText(version: number, created: boolean, problems: readonly NamedProblem[], nodeName: (id: string) => string, meta: SavedMeta): string {
  const n = problems.length;
  const head = created ? `Saved as version ${version}, a draft with ${plural(n, "problem")}` : `No changes since version ${version}, a draft with ${plural(n, "problem")}`;
  // The refusal's wording names the first problem by node and field: reuse it without "Not saved".
  const first = saveRefusal(problems, nodeName)?.replace(/^Not saved: [^.]*\. /, "") ?? "";
  const after = whatRunsText(meta);
  return `${head}: it will not run until ${n === 1 ? "it is" : "they are"} fixed. ${first}${after ? ` ${after}` : ""}`;
}
