"use client";
// The two lists: uploaded files, and the Parquet tables runs produced. A row selects its preview,
// which opens right under that row.
import { Database, Eye, FileText } from "lucide-react";
import Link from "next/link";
import { Fragment, type MouseEvent, type ReactNode } from "react";
import { ago, stamp } from "@/app/_components/ui";
import type { RouterOutputs } from "@/trpc/react";
import { count, size, useNow } from "./format";

export type FileRow = RouterOutputs["dataset"]["files"][number];
export type DatasetRow = RouterOutputs["dataset"]["list"][number];

const th = "px-4 py-2.5 font-medium whitespace-nowrap";
const num = "px-4 py-3 text-right whitespace-nowrap tabular-nums text-ink-soft";

function When({ ms }: { ms: number }) {
  const now = useNow();
  return (
    <time dateTime={new Date(ms).toISOString()} title={now ? stamp(ms) : undefined} className="whitespace-nowrap">
      {now ? ago(ms, now) : "\u00a0"}
    </time>
  );
}

function Frame({ head, children }: { head: ReactNode; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-line bg-surface shadow-xs">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-line bg-sunken/60 text-xs text-ink-muted">
          <tr>{head}</tr>
        </thead>
        <tbody className="divide-y divide-line">{children}</tbody>
      </table>
    </div>
  );
}

/** What a row's click opened the preview from: its Preview button, where focus goes back to. */
export type Opener = HTMLElement | null;
const rowButton = (e: MouseEvent<HTMLElement>): Opener => e.currentTarget.querySelector<HTMLElement>("button[aria-pressed]");

/** The selected row's preview, as a row of its own right under it, as wide as the list. */
function PreviewRow({ span, children }: { span: number; children: ReactNode }) {
  return (
    <tr className="bg-sunken/30">
      <td colSpan={span} className="px-3 py-3">
        {/* No wider than the list, however many columns the preview has (it scrolls inside). */}
        <div className="w-0 min-w-full">{children}</div>
      </td>
    </tr>
  );
}

function PreviewButton({ label, selected, onClick }: { label: string; selected: boolean; onClick: (opener: HTMLElement) => void }) {
  return (
    <button
      type="button"
      aria-label={`Preview ${label}`}
      aria-pressed={selected}
      onClick={(e) => {
        e.stopPropagation(); // the row's own click would toggle it straight back
        onClick(e.currentTarget);
      }}
      className={`inline-flex items-center gap-1.5 rounded-md px-2 py-1 text-xs font-medium ${
        selected ? "bg-accent/10 text-accent" : "text-ink-soft hover:bg-sunken hover:text-ink"
      }`}
    >
      <Eye className="size-3.5" aria-hidden="true" />
      Preview
    </button>
  );
}

const rowClass = (selected: boolean) => `cursor-pointer align-middle ${selected ? "bg-accent/5" : "hover:bg-sunken/40"}`;

export function FilesTable({ files, selectedId, onSelect, preview }: { files: FileRow[]; selectedId?: string; onSelect: (f: FileRow, opener: Opener) => void; preview?: ReactNode }) {
  return (
    <Frame
      head={
        <>
          <th className={th}>Name</th>
          <th className={`${th} text-right`}>Rows</th>
          <th className={`${th} text-right`}>Columns</th>
          <th className={`${th} text-right`}>Size</th>
          <th className={th}>Uploaded</th>
          <th className={th}>
            <span className="sr-only">Preview</span>
          </th>
        </>
      }
    >
      {files.map((f) => {
        const selected = f.id === selectedId;
        return (
          <Fragment key={f.id}>
            <tr className={rowClass(selected)} onClick={(e) => onSelect(f, rowButton(e))}>
              <td className="max-w-96 px-4 py-3">
                <div className="flex items-center gap-2.5">
                  <FileText className="size-4 shrink-0 text-kind-source" aria-hidden="true" />
                  <div className="min-w-0">
                    <div className="truncate font-medium text-ink" title={f.name}>
                      {f.name}
                    </div>
                    <div className="font-mono text-xs text-ink-muted">
                      {f.id}
                      {f.format && <span className="ml-2 font-sans uppercase">{f.format}</span>}
                    </div>
                  </div>
                </div>
              </td>
              <td className={num}>{count(f.rows)}</td>
              <td className={num}>{f.columns ? count(f.columns.length) : "—"}</td>
              <td className={num}>{size(f.bytes)}</td>
              <td className="px-4 py-3 text-ink-soft">
                <When ms={f.createdAt} />
              </td>
              <td className="px-4 py-3 text-right">
                <PreviewButton label={f.name} selected={selected} onClick={(opener) => onSelect(f, opener)} />
              </td>
            </tr>
            {selected && preview && <PreviewRow span={6}>{preview}</PreviewRow>}
          </Fragment>
        );
      })}
    </Frame>
  );
}

/** `ds_3f9a…` : enough to tell datasets apart; the whole id is in the title. */
export const shortId = (id: string) => (id.length > 13 ? `${id.slice(0, 13)}…` : id);

export function DatasetsTable({ datasets, selectedId, onSelect, preview }: { datasets: DatasetRow[]; selectedId?: string; onSelect: (d: DatasetRow, opener: Opener) => void; preview?: ReactNode }) {
  return (
    <Frame
      head={
        <>
          <th className={th}>Dataset</th>
          <th className={`${th} text-right`}>Rows</th>
          <th className={`${th} text-right`}>Columns</th>
          <th className={`${th} text-right`}>Size</th>
          <th className={th}>Run</th>
          <th className={th}>Node</th>
          <th className={th}>Created</th>
          <th className={th}>
            <span className="sr-only">Preview</span>
          </th>
        </>
      }
    >
      {datasets.map((d) => {
        const selected = d.id === selectedId;
        return (
          <Fragment key={d.id}>
            <tr className={rowClass(selected)} onClick={(e) => onSelect(d, rowButton(e))}>
              <td className="px-4 py-3">
                <div className="flex items-center gap-2.5">
                  <Database className="size-4 shrink-0 text-kind-transform" aria-hidden="true" />
                  <span className="font-mono text-xs text-ink" title={d.id}>
                    {shortId(d.id)}
                  </span>
                </div>
              </td>
              <td className={num}>{count(d.rows)}</td>
              <td className={num}>{count(d.columnCount)}</td>
              <td className={num}>{size(d.bytes)}</td>
              <td className="px-4 py-3">
                {d.runId ? (
                  <Link href={`/runs/${encodeURIComponent(d.runId)}`} onClick={(e) => e.stopPropagation()} className="font-mono text-xs text-accent hover:underline" title={`Run ${d.runId}`}>
                    {d.runId.slice(0, 8)}
                  </Link>
                ) : (
                  <span className="text-ink-muted">—</span>
                )}
              </td>
              <td className="max-w-48 truncate px-4 py-3 font-mono text-xs text-ink-soft" title={d.nodeId ?? undefined}>
                {d.nodeId ?? "—"}
              </td>
              <td className="px-4 py-3 text-ink-soft">
                <When ms={d.createdAt} />
              </td>
              <td className="px-4 py-3 text-right">
                <PreviewButton label={d.id} selected={selected} onClick={(opener) => onSelect(d, opener)} />
              </td>
            </tr>
            {selected && preview && <PreviewRow span={8}>{preview}</PreviewRow>}
          </Fragment>
        );
      })}
    </Frame>
  );
}
