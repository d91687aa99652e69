"use client";
// A field holding an uploaded file's id: pick one of the uploads, or upload a new one here.
import { Upload } from "lucide-react";
import { useRef, useState, type ChangeEvent } from "react";
import { uploadFile, ACCEPT } from "@/app/_components/upload-client";
import { inputClass, BUTTON, describedBy, rowsText, type FieldProps, Shell, requiredAttr } from "./config-field-parts";

export function FileField(p: FieldProps) {
  const { field, id, current, ctx } = p;
  const picker = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState<{ name: string; fraction: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [recent, setRecent] = useState<{ id: string; name: string } | null>(null);
  const files = ctx.files ?? [];
  const currentId = typeof current === "string" ? current : "";
  const known = files.some((f) => f.id === currentId);

  async function onPick(e: ChangeEvent<HTMLInputElement>) {
    const input = e.currentTarget;
    const file = input.files?.[0];
    input.value = ""; // picking the same file again still fires a change
    if (!file) return;
    setProblem(null);
    setUploading({ name: file.name, fraction: 0 });
    try {
      const up = await uploadFile(file, (fraction) => setUploading({ name: file.name, fraction: Math.max(0, Math.min(1, fraction)) }));
      setRecent({ id: up.id, name: up.name });
      p.set(up.id);
      ctx.onUploaded?.({ id: up.id, name: up.name });
    } catch (err) {
      setProblem(err instanceof Error && err.message ? err.message : `${file.name} could not be uploaded`);
    } finally {
      setUploading(null);
    }
  }

  const pct = uploading ? Math.round(uploading.fraction * 100) : 0;
  const problemId = problem ? `${id}-upload-problem` : undefined;
  return (
    <Shell
      p={p}
      note={
        <>
          {uploading && (
            <div className="space-y-1">
              <div
                role="progressbar"
                aria-label={`Uploading ${uploading.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={pct}
                className="h-1 w-full overflow-hidden rounded-full bg-sunken"
              >
                <div className="h-full rounded-full bg-accent transition-[width] duration-150" style={{ width: `${pct}%` }} />
              </div>
              <p className="truncate text-[11px] text-ink-muted">
                Uploading {uploading.name}… {pct}%
              </p>
            </div>
          )}
          {problem && (
            <p id={problemId} className="text-xs break-words text-rose-700">
              {problem}
            </p>
          )}
        </>
      }
    >
      <div className="flex gap-1.5">
        <select
          id={id}
          value={currentId}
          onChange={(e) => p.set(e.currentTarget.value || undefined)}
          disabled={uploading !== null}
          aria-invalid={p.invalid || undefined}
          aria-required={requiredAttr(field)}
          aria-describedby={describedBy(p.helpId, problemId, p.errorId)}
          className={inputClass(p.invalid)}
        >
          <option value="">No file</option>
          {files.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
              {rowsText(f.rows)}
            </option>
          ))}
          {currentId && !known && <option value={currentId}>{recent?.id === currentId ? recent.name : `File ${currentId}`}</option>}
        </select>
        <button type="button" onClick={() => picker.current?.click()} disabled={uploading !== null} className={BUTTON}>
          <Upload className="size-3.5" aria-hidden />
          Upload a file…
        </button>
        <input ref={picker} type="file" accept={ACCEPT} aria-label={`Upload a file for ${field.label}`} onChange={(e) => void onPick(e)} tabIndex={-1} className="hidden" />
      </div>
    </Shell>
  );
}
