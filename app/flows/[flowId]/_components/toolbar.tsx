"use client";
// The editor's top bar: name, saved state, problems, undo/redo, layout, save, run, and the run's state.
import { ChartColumn, ChevronLeft, CircleAlert, ExternalLink, History, LayoutGrid, LoaderCircle, Play, Redo2, Save, Undo2, X } from "lucide-react";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { useShallow } from "zustand/react/shallow";
import { StatusBadge } from "@/app/_components/status-badge";
import { TONE } from "@/app/_components/ui";
import { saveStateText, whatRunsText } from "../_lib/draft-save";
import { hasUnsavedWork, useFlowStore } from "../_store/flow-store";
import type { RunStatus } from "@/workflows/graph/status";

export interface Notice {
  tone: "good" | "bad" | "warn" | "busy";
  text: string;
  action?: { label: string; href: string; external?: boolean };
  /** A refused save: the editor words it from the problems as they are now, and drops it once there are none. */
  problems?: boolean;
}

interface RunSummary {
  id: string;
  status: RunStatus;
  temporalUrl: string;
  flowVersion: number;
}

function ToolButton({ label, onClick, disabled, children, primary }: { label: string; onClick(): void; disabled?: boolean; children: ReactNode; primary?: boolean }) {
  return (
    <button
      type="button"
      onClick={onClick}
      disabled={disabled}
      title={label}
      className={`inline-flex h-8 items-center gap-1.5 rounded-md px-2.5 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-40 ${
        primary ? "bg-ink text-canvas hover:bg-ink/85" : "border border-line bg-surface text-ink hover:bg-sunken"
      }`}
    >
      {children}
    </button>
  );
}

export function Toolbar(props: {
  run: RunSummary | null;
  notice: Notice | null;
  onDismiss(): void;
  onSave(): void;
  onRun(): void;
  onLayout(): void;
  onHistory(): void;
  saving: boolean;
  starting: boolean;
  /** A viewer: may read the flow, not save or run it. */
  readOnly: boolean;
}) {
  const s = useFlowStore(
    useShallow((st) => ({ flowId: st.flowId, name: st.name, version: st.baseVersion, saved: st.saved, unsaved: hasUnsavedWork(st), canUndo: st.past.length > 0, canRedo: st.future.length > 0, problems: st.problems, setName: st.setName, undo: st.undo, redo: st.redo, select: st.select })),
  );
  const [showProblems, setShowProblems] = useState(false);
  const { run, notice } = props;
  // The server refuses a viewer's save and run anyway; the buttons say so before anyone tries.
  const { readOnly } = props;
  const viewerNote = "Viewers can read flows but not save or run them; an admin can make you an editor";

  return (
    <div className="relative z-20 border-b border-line bg-surface">
      <div className="flex h-12 items-center gap-2 px-3">
        <Link href="/flows" className="inline-flex items-center gap-1 rounded-md px-1.5 py-1 text-sm text-ink-muted hover:bg-sunken hover:text-ink">
          <ChevronLeft className="size-4" aria-hidden />
          Flows
        </Link>
        <input
          aria-label="Flow name"
          value={s.name}
          onChange={(e) => s.setName(e.target.value)}
          className="h-8 w-64 rounded-md border border-transparent bg-transparent px-2 text-sm font-semibold text-ink 2xl:w-[32rem] hover:border-line focus:border-accent focus:outline-none"
        />
        {/* A draft says so here; what runs instead is in the title, and in the notice it opens with. */}
        <span className="text-xs whitespace-nowrap text-ink-muted" data-testid="save-state" title={whatRunsText(s.saved) ?? undefined}>
          {saveStateText(s.version, s.saved, s.unsaved)}
        </span>
        {s.problems.length > 0 && (
          <button
            type="button"
            onClick={() => setShowProblems((v) => !v)}
            className="inline-flex h-7 items-center gap-1 rounded-full bg-rose-50 px-2.5 text-xs font-medium whitespace-nowrap text-rose-700 ring-1 ring-rose-600/20 ring-inset"
          >
            <CircleAlert className="size-3.5" aria-hidden />
            {s.problems.length} problem{s.problems.length > 1 ? "s" : ""}
          </button>
        )}

        <div className="ml-auto flex items-center gap-1.5">
          {run && (
            <span className="mr-1 flex items-center gap-2 text-xs text-ink-muted">
              <Link href={`/runs/${run.id}`} className="hover:underline">
                Run of v{run.flowVersion}
              </Link>
              <StatusBadge status={run.status} />
              <a href={run.temporalUrl} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 text-accent hover:underline">
                Temporal UI <ExternalLink className="size-3" aria-hidden />
              </a>
            </span>
          )}
          {s.flowId && (
            <Link
              href={`/flows/${s.flowId}/results`}
              title="Conversion by the flow's goal, per arm and per path, against the control group"
              className="inline-flex h-8 items-center gap-1.5 rounded-md border border-line bg-surface px-2.5 text-sm font-medium text-ink hover:bg-sunken"
            >
              <ChartColumn className="size-4" aria-hidden />
              {/* Icons only on laptop screens, so the bar keeps to one line; the name stays for screen readers. */}
              <span className="sr-only 2xl:not-sr-only">Results</span>
            </Link>
          )}
          <ToolButton label="Versions: who saved each, what changed between two, restore one" onClick={props.onHistory} disabled={!s.version}>
            <History className="size-4" aria-hidden />
            <span className="sr-only 2xl:not-sr-only">History</span>
          </ToolButton>
          <ToolButton label="Undo (Ctrl+Z)" onClick={s.undo} disabled={!s.canUndo}>
            <Undo2 className="size-4" aria-hidden />
            <span className="sr-only">Undo</span>
          </ToolButton>
          <ToolButton label="Redo (Ctrl+Shift+Z)" onClick={s.redo} disabled={!s.canRedo}>
            <Redo2 className="size-4" aria-hidden />
            <span className="sr-only">Redo</span>
          </ToolButton>
          <ToolButton label="Tidy up: arrange the nodes left to right" onClick={props.onLayout}>
            <LayoutGrid className="size-4" aria-hidden />
            Auto-layout
          </ToolButton>
          <ToolButton label={readOnly ? viewerNote : "Save a new version (Ctrl+S)"} onClick={props.onSave} disabled={props.saving || readOnly}>
            {props.saving ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : <Save className="size-4" aria-hidden />}
            Save
          </ToolButton>
          <ToolButton label={readOnly ? viewerNote : "Save if needed, then run the saved version"} onClick={props.onRun} disabled={props.starting || props.saving || readOnly} primary>
            {props.starting ? <LoaderCircle className="size-4 animate-spin" aria-hidden /> : <Play className="size-4" aria-hidden />}
            Run
          </ToolButton>
        </div>
      </div>

      {notice && (
        <div role="status" className={`flex items-center gap-3 border-t border-line px-4 py-1.5 text-sm ring-0 ${TONE[notice.tone]}`}>
          <span>{notice.text}</span>
          {notice.action &&
            (notice.action.external ? (
              <a href={notice.action.href} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 font-medium underline">
                {notice.action.label} <ExternalLink className="size-3" aria-hidden />
              </a>
            ) : (
              <a href={notice.action.href} className="font-medium underline">
                {notice.action.label}
              </a>
            ))}
          <button type="button" onClick={props.onDismiss} aria-label="Dismiss" className="ml-auto rounded p-0.5 opacity-70 hover:opacity-100">
            <X className="size-3.5" />
          </button>
        </div>
      )}

      {showProblems && s.problems.length > 0 && (
        <div className="absolute top-12 left-40 z-30 max-h-80 w-[28rem] overflow-y-auto rounded-lg border border-line bg-surface p-2 shadow-lg">
          <ul className="space-y-1 text-xs">
            {s.problems.map((p, i) => (
              <li key={i}>
                <button
                  type="button"
                  onClick={() => {
                    if (p.nodeId) s.select(p.nodeId);
                    setShowProblems(false);
                  }}
                  className="w-full rounded-md px-2 py-1.5 text-left hover:bg-sunken"
                >
                  {p.nodeId && <span className="mr-1.5 font-mono font-medium text-ink">{p.nodeId}</span>}
                  <span className="text-rose-700">{p.message}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
