"use client";
// The flow's versions (toolbar: History): who saved each and when, drafts marked; two chosen
// versions compared setting by setting; and an older version restored as the newest, which the
// editor then opens. A native modal <dialog> (focus in and back, Escape closes, page inert).
import { useQuery } from "@tanstack/react-query";
import { LoaderCircle, RotateCcw, X } from "lucide-react";
import { useId, useMemo, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { ago, stamp } from "@/app/_components/ui";
import { useModalDialog } from "@/app/flows/_components/dialog";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { diffGraphs } from "@/workflows/graph/diff";
import { hasUnsavedWork, useFlowStore } from "../_store/flow-store";
import { useCatalog } from "./catalog-context";
import { VersionDiff } from "./version-diff";

type VersionRow = RouterOutputs["flow"]["versions"][number];

/** "Ada Lovelace", "unknown" (saved before it was recorded), "a removed user". */
function savedByText(v: VersionRow): string {
  if (!v.savedBy) return "unknown";
  return "removed" in v.savedBy ? "a removed user" : v.savedBy.name || v.savedBy.email;
}

const BUTTON = "inline-flex h-7 items-center gap-1 rounded-md border border-line bg-surface px-2 text-xs font-medium text-ink hover:bg-sunken disabled:cursor-not-allowed disabled:opacity-40";

export function HistoryDialog({ open, onClose, onRestore, readOnly }: { open: boolean; onClose(): void; onRestore(version: number): Promise<boolean>; readOnly: boolean }) {
  const modal = useModalDialog(open, onClose);
  const titleId = useId();
  return (
    <dialog
      {...modal}
      aria-labelledby={titleId}
      className="m-auto h-[min(44rem,calc(100vh-4rem))] w-[min(60rem,calc(100vw-2rem))] rounded-xl border border-line bg-surface p-0 text-ink shadow-xl backdrop:bg-ink/25"
    >
      {open && <HistoryBody titleId={titleId} onClose={onClose} onRestore={onRestore} readOnly={readOnly} />}
    </dialog>
  );
}

function HistoryBody({ titleId, onClose, onRestore, readOnly }: { titleId: string; onClose(): void; onRestore(version: number): Promise<boolean>; readOnly: boolean }) {
  const trpc = useTRPC();
  const catalog = useCatalog();
  const { flowId, current, unsaved } = useFlowStore(useShallow((s) => ({ flowId: s.flowId, current: s.baseVersion, unsaved: hasUnsavedWork(s) })));
  const versions = useQuery({ ...trpc.flow.versions.queryOptions({ flowId }), staleTime: 0 });
  const list = versions.data ?? [];
  const [pick, setPick] = useState<{ from: number; to: number } | null>(null);
  const latest = list[0]?.version ?? current;
  const chosen = pick ?? { from: list[1]?.version ?? latest, to: latest };
  const [asking, setAsking] = useState<number | null>(null);
  const [restoring, setRestoring] = useState(false);
  const [now] = useState(() => Date.now());

  const a = useQuery({ ...trpc.flow.get.queryOptions({ flowId, version: chosen.from }), enabled: chosen.from > 0 });
  const b = useQuery({ ...trpc.flow.get.queryOptions({ flowId, version: chosen.to }), enabled: chosen.to > 0 });
  const diff = useMemo(() => (a.data && b.data ? diffGraphs(a.data.graph, b.data.graph) : null), [a.data, b.data]);

  async function restore(version: number) {
    setRestoring(true);
    const ok = await onRestore(version);
    setRestoring(false);
    setAsking(null);
    if (ok) onClose();
  }

  const select = (label: string, value: number, set: (v: number) => void) => (
    <label className="flex items-center gap-1.5 text-xs text-ink-muted">
      {label}
      <select aria-label={`${label} version`} value={value} onChange={(e) => set(Number(e.target.value))} className="h-7 rounded-md border border-line bg-surface px-1.5 text-xs text-ink">
        {list.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}
            {v.problems ? " · draft" : ""}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="flex h-full flex-col">
      <div className="flex items-center gap-3 border-b border-line px-5 py-3">
        <h2 id={titleId} className="text-base font-semibold text-ink">
          Version history
        </h2>
        <span className="text-xs text-ink-muted">{list.length ? `${list.length} version${list.length === 1 ? "" : "s"}; you have v${current}` : null}</span>
        <button type="button" onClick={onClose} aria-label="Close history" className="ml-auto rounded p-1 text-ink-muted hover:bg-sunken hover:text-ink">
          <X className="size-4" />
        </button>
      </div>
      <div className="flex min-h-0 flex-1">
        <ol aria-label="Versions" className="w-[24rem] shrink-0 divide-y divide-line overflow-y-auto border-r border-line">
          {versions.isPending && <li className="p-4 text-sm text-ink-muted">Loading versions…</li>}
          {versions.error && <li className="p-4 text-sm text-rose-700">Could not load the versions: {versions.error.message}</li>}
          {list.map((v) => (
            <li key={v.version} data-testid={`version-${v.version}`} className={`px-4 py-2.5 ${v.version === chosen.from || v.version === chosen.to ? "bg-sunken/60" : ""}`}>
              <div className="flex items-center gap-2">
                <span className="text-sm font-semibold text-ink">Version {v.version}</span>
                {v.problems && (
                  <span className="rounded-full bg-amber-50 px-1.5 py-0.5 text-[11px] font-medium text-amber-800 ring-1 ring-amber-600/25 ring-inset" title={v.problems.map((p) => `${p.nodeId ? `${p.nodeId} › ` : ""}${p.message}`).join("\n")}>
                    draft, {v.problems.length} problem{v.problems.length === 1 ? "" : "s"}
                  </span>
                )}
                {v.version === latest && <span className="text-[11px] text-ink-muted">latest</span>}
                {!readOnly && v.version !== latest && (
                  <button type="button" className={`${BUTTON} ml-auto`} onClick={() => setAsking(v.version)} disabled={restoring} aria-label={`Restore version ${v.version}`}>
                    <RotateCcw className="size-3.5" aria-hidden />
                    Restore
                  </button>
                )}
              </div>
              <div className="mt-0.5 text-xs text-ink-muted">
                <span title={v.savedBy && !("removed" in v.savedBy) ? v.savedBy.email : undefined}>by {savedByText(v)}</span>
                {" · "}
                <span title={stamp(v.savedAt)}>{ago(v.savedAt, now)}</span>
                {" · "}
                {v.nodeCount} node{v.nodeCount === 1 ? "" : "s"}
                {v.name !== list[0]?.name ? ` · “${v.name}”` : ""}
              </div>
              {asking === v.version && (
                <div role="alertdialog" aria-label={`Restore version ${v.version}?`} className="mt-2 rounded-lg border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900">
                  <p>
                    Save version {v.version}&rsquo;s flow as version {latest + 1} and open it?
                    {unsaved ? " Your unsaved changes in the editor are dropped." : ""} Versions {v.version + 1}–{latest} stay in the history.
                  </p>
                  <div className="mt-2 flex justify-end gap-1.5">
                    <button type="button" className={BUTTON} onClick={() => setAsking(null)}>
                      Cancel
                    </button>
                    <button type="button" className={`${BUTTON} border-ink bg-ink text-canvas hover:bg-ink/85`} onClick={() => void restore(v.version)} disabled={restoring}>
                      {restoring && <LoaderCircle className="size-3.5 animate-spin" aria-hidden />}
                      Restore as version {latest + 1}
                    </button>
                  </div>
                </div>
              )}
            </li>
          ))}
        </ol>
        <div className="min-w-0 flex-1 overflow-y-auto px-5 py-3">
          <div className="flex flex-wrap items-center gap-3">
            <span className="text-sm font-medium text-ink">Compare</span>
            {select("From", chosen.from, (from) => setPick({ ...chosen, from }))}
            {select("To", chosen.to, (to) => setPick({ ...chosen, to }))}
          </div>
          <div className="mt-3">
            {(a.error || b.error) && <p className="text-sm text-rose-700">Could not load a version: {(a.error ?? b.error)?.message}</p>}
            {!diff && !a.error && !b.error && list.length > 0 && <p className="text-sm text-ink-muted">Loading…</p>}
            {diff && <VersionDiff diff={diff} from={chosen.from} to={chosen.to} catalog={catalog} />}
          </div>
        </div>
      </div>
    </div>
  );
}
