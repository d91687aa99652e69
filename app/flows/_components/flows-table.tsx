"use client";
// The flows as a table: name (into the editor), size, last edit, last run, and per-row actions.
import { Copy, Pencil, Trash2 } from "lucide-react";
import Link from "next/link";
import { StatusBadge } from "@/app/_components/status-badge";
import { ago, stamp } from "@/app/_components/ui";
import type { RouterOutputs } from "@/trpc/react";
import { BUTTON } from "./dialog";

export type FlowRow = RouterOutputs["flow"]["list"][number];

export function FlowsTable({
  flows,
  now,
  busyId,
  onRename,
  onDuplicate,
  onDelete,
}: {
  flows: FlowRow[];
  /** Null until the page runs in the browser (see useNow). */
  now: number | null;
  /** A flow with an action under way: its buttons wait. */
  busyId?: string | null;
  onRename: (flow: FlowRow) => void;
  onDuplicate: (flow: FlowRow) => void;
  onDelete: (flow: FlowRow) => void;
}) {
  return (
    <div className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs">
      {/* Fixed columns, so filtering does not make them jump. */}
      <table className="w-full table-fixed text-left text-sm">
        <thead className="border-b border-line bg-sunken/60 text-xs text-ink-muted">
          <tr>
            <th className="px-4 py-2.5 font-medium">Name</th>
            <th className="w-20 px-4 py-2.5 text-right font-medium">Nodes</th>
            <th className="w-28 px-4 py-2.5 font-medium">Version</th>
            <th className="w-32 px-4 py-2.5 font-medium">Last edit</th>
            <th className="w-56 px-4 py-2.5 font-medium">Last run</th>
            <th className="w-36 px-4 py-2.5 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {flows.map((f) => (
            <tr key={f.id} className="hover:bg-sunken/40">
              <td className="px-4 py-3">
                <Link href={`/flows/${f.id}`} className="font-medium text-ink hover:text-accent hover:underline">
                  {f.name}
                </Link>
                <div className="truncate font-mono text-xs text-ink-muted">{f.id}</div>
              </td>
              <td className="px-4 py-3 text-right tabular-nums text-ink-soft">{f.nodeCount}</td>
              <td className="px-4 py-3 tabular-nums text-ink-soft">
                v{f.latestVersion}
                {/* A draft never runs: say so, and which version runs instead. */}
                {f.draftProblems > 0 && (
                  <span
                    className="ml-1.5 rounded-full bg-amber-50 px-1.5 py-0.5 text-[11px] font-medium text-amber-800 ring-1 ring-amber-600/25 ring-inset"
                    title={`Version ${f.latestVersion} is a draft with ${f.draftProblems} problem${f.draftProblems === 1 ? "" : "s"} and never runs; ${f.latestValidVersion ? `version ${f.latestValidVersion} is the latest that can run` : "no version can run yet"}`}
                  >
                    draft
                  </span>
                )}
              </td>
              <td className="px-4 py-3 whitespace-nowrap text-ink-soft" title={now === null ? undefined : stamp(f.updatedAt)}>
                {now === null ? null : ago(f.updatedAt, now)}
              </td>
              <td className="px-4 py-3 whitespace-nowrap">
                {f.lastRun ? (
                  <Link href={`/runs/${f.lastRun.id}`} className="group inline-flex items-center gap-2" aria-label={`Last run of ${f.name}: ${f.lastRun.status}`}>
                    <StatusBadge status={f.lastRun.status} />
                    <span className="text-xs text-ink-muted group-hover:text-accent group-hover:underline">
                      {now === null ? null : ago(f.lastRun.createdAt, now)}
                    </span>
                  </Link>
                ) : (
                  <span className="text-xs text-ink-muted">Never run</span>
                )}
              </td>
              <td className="px-3 py-2 text-right whitespace-nowrap">
                <div className="inline-flex items-center gap-0.5">
                  <button type="button" className={BUTTON.icon} aria-label={`Rename ${f.name}`} title="Rename" disabled={busyId === f.id} onClick={() => onRename(f)}>
                    <Pencil className="size-4" aria-hidden="true" />
                  </button>
                  <button type="button" className={BUTTON.icon} aria-label={`Duplicate ${f.name}`} title="Duplicate" disabled={busyId === f.id} onClick={() => onDuplicate(f)}>
                    <Copy className="size-4" aria-hidden="true" />
                  </button>
                  <button
                    type="button"
                    className={`${BUTTON.icon} hover:bg-rose-50 hover:text-rose-700`}
                    aria-label={`Delete ${f.name}`}
                    title="Delete"
                    disabled={busyId === f.id}
                    onClick={() => onDelete(f)}
                  >
                    <Trash2 className="size-4" aria-hidden="true" />
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
