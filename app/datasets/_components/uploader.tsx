"use client";
// The upload area: drop files or choose them, watch the bytes go, read the server's refusal if any.
import { CheckCircle2, FileUp, Upload, X } from "lucide-react";
import { useRef, useState, type DragEvent } from "react";
import { ACCEPT, uploadFile, type UploadedFile } from "@/app/_components/upload-client";
import { count } from "./format";

const EXTENSIONS = ACCEPT.split(",");

type State =
  | { phase: "idle" }
  | { phase: "sending"; name: string; fraction: number; index: number; total: number }
  | { phase: "done"; file: UploadedFile }
  | { phase: "failed"; message: string };

/** The same check the server makes, so a wrong file is refused before its bytes are sent. */
function refusal(file: File): string | undefined {
  const dot = file.name.lastIndexOf(".");
  const ext = dot > 0 ? file.name.slice(dot).toLowerCase() : "";
  if (!EXTENSIONS.includes(ext)) return `${file.name}: ${ext ? `${ext} files` : "files without an extension"} cannot be uploaded; use one of ${EXTENSIONS.join(" ")}`;
  if (file.size === 0) return `${file.name} is empty`;
  return undefined;
}

export function Uploader({ onUploaded }: { onUploaded: (file: UploadedFile) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<State>({ phase: "idle" });
  const [over, setOver] = useState(false);
  const busy = state.phase === "sending";

  async function send(list: FileList | null) {
    const chosen = Array.from(list ?? []);
    if (!chosen.length || busy) return;
    for (const f of chosen) {
      const problem = refusal(f);
      if (problem) return setState({ phase: "failed", message: problem });
    }
    let last: UploadedFile | undefined;
    for (const [i, f] of chosen.entries()) {
      setState({ phase: "sending", name: f.name, fraction: 0, index: i + 1, total: chosen.length });
      try {
        last = await uploadFile(f, (fraction) => setState((s) => (s.phase === "sending" && s.name === f.name ? { ...s, fraction } : s)));
        onUploaded(last);
      } catch (err) {
        return setState({ phase: "failed", message: err instanceof Error ? err.message : String(err) });
      }
    }
    if (last) setState({ phase: "done", file: last });
  }

  const drag = (e: DragEvent, entering: boolean) => {
    e.preventDefault();
    if (!busy) setOver(entering);
  };

  return (
    <div>
      <div
        onDragEnter={(e) => drag(e, true)}
        onDragOver={(e) => drag(e, true)}
        onDragLeave={(e) => {
          // Moving onto a child element fires dragleave on the zone; only leaving it counts.
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) drag(e, false);
        }}
        onDrop={(e) => {
          drag(e, false);
          void send(e.dataTransfer.files);
        }}
        className={`flex items-center gap-5 rounded-xl border border-dashed px-6 py-5 transition-colors ${
          over ? "border-accent bg-accent/5" : "border-line bg-surface"
        }`}
      >
        <div className="grid size-11 shrink-0 place-items-center rounded-lg bg-kind-source/10 text-kind-source">
          <Upload className="size-5" aria-hidden="true" />
        </div>
        {state.phase === "sending" ? (
          <Progress state={state} />
        ) : (
          <div className="min-w-0 flex-1">
            <p className="text-sm font-medium text-ink">Drop a CSV or JSON file here</p>
            <p className="mt-0.5 text-xs text-ink-muted">
              {EXTENSIONS.join(" ")} · rows and column types are read when it arrives
            </p>
          </div>
        )}
        <button
          type="button"
          disabled={busy}
          onClick={() => input.current?.click()}
          className="inline-flex shrink-0 items-center gap-2 rounded-lg bg-ink px-3.5 py-2 text-sm font-medium text-canvas hover:bg-ink/85 disabled:cursor-not-allowed disabled:opacity-50"
        >
          <FileUp className="size-4" aria-hidden="true" />
          Choose file
        </button>
        <input
          ref={input}
          type="file"
          accept={ACCEPT}
          multiple
          className="sr-only"
          tabIndex={-1}
          aria-label="Choose a file to upload"
          onChange={(e) => {
            void send(e.currentTarget.files);
            e.currentTarget.value = "";
          }}
        />
      </div>

      {state.phase === "failed" && (
        <div role="alert" className="mt-3 flex items-start gap-3 rounded-lg border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
          <p className="min-w-0 flex-1 break-words">
            <span className="font-medium">Upload failed.</span> {state.message}
          </p>
          <button type="button" aria-label="Dismiss" onClick={() => setState({ phase: "idle" })} className="rounded p-0.5 text-rose-700 hover:bg-rose-100">
            <X className="size-4" aria-hidden="true" />
          </button>
        </div>
      )}
      {state.phase === "done" && (
        <p role="status" className="mt-3 flex items-center gap-2 text-sm text-emerald-700">
          <CheckCircle2 className="size-4" aria-hidden="true" />
          Uploaded {state.file.name}: {count(state.file.rows)} rows, {state.file.columns.length} columns. Use it in a flow&apos;s CSV source.
        </p>
      )}
    </div>
  );
}

function Progress({ state }: { state: Extract<State, { phase: "sending" }> }) {
  const pct = Math.round(state.fraction * 100);
  const reading = state.fraction >= 1;
  return (
    <div className="min-w-0 flex-1">
      <div className="flex items-baseline justify-between gap-3 text-sm">
        <p className="truncate font-medium text-ink">
          {state.total > 1 && <span className="text-ink-muted">{state.index} of {state.total} · </span>}
          {state.name}
        </p>
        <span className="shrink-0 text-xs tabular-nums text-ink-muted">{reading ? "Reading rows and columns…" : `${pct}%`}</span>
      </div>
      <div
        role="progressbar"
        aria-label={`Uploading ${state.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        className="mt-2 h-1.5 overflow-hidden rounded-full bg-sunken"
      >
        <div className={`h-full rounded-full bg-accent transition-[width] duration-200 ${reading ? "animate-pulse" : ""}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
