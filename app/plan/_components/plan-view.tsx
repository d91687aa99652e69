"use client";
// The Tracking plan page: the entries (newest version of each), one opened in the editor with its
// version history, "New event" for editors, and the failed events with Replay below.
import { useQuery } from "@tanstack/react-query";
import { ClipboardList, LoaderCircle, Plus } from "lucide-react";
import { useState } from "react";
import { TABLE } from "@/app/account/_components/forms";
import { LocalTime } from "@/app/account/_components/local-time";
import { Problem } from "@/app/_components/ui";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";
import { EntryEditor, type PlanEntry } from "./entry-editor";
import { EntryHistory } from "./entry-history";
import { PlanFailures } from "./plan-failures";
import { IDENTIFY_EVENT, summarise } from "./schema-form";

/** Which entry is open: an event name, a new one, or none. */
type Open = { event: string | null; session: number } | null;

function EntriesTable({ entries, onOpen }: { entries: PlanEntry[]; onOpen: (event: string) => void }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-line bg-surface shadow-xs">
      <table className={TABLE.table}>
        <thead className={TABLE.head}>
          <tr>
            <th className={TABLE.th}>Event name</th>
            <th className={TABLE.th}>Version</th>
            <th className={`${TABLE.th} text-right`}>Properties</th>
            <th className={TABLE.th}>Required</th>
            <th className={TABLE.th}>Description</th>
            <th className={TABLE.th}>Saved</th>
          </tr>
        </thead>
        <tbody className={TABLE.body}>
          {entries.map((e) => {
            const s = summarise(e.schema);
            return (
              <tr key={e.id}>
                <td className={`${TABLE.td} break-words`}>
                  <button type="button" className="text-left font-medium text-accent hover:underline" onClick={() => onOpen(e.event)}>
                    {e.event === IDENTIFY_EVENT ? "Identify traits ($identify)" : e.event}
                  </button>
                </td>
                <td className={`${TABLE.td} tabular-nums`}>{e.version}</td>
                <td className={`${TABLE.td} text-right tabular-nums`}>{s.count}</td>
                <td className={`${TABLE.td} font-mono text-xs break-words`}>{s.required.length ? s.required.join(", ") : <span className="font-sans text-ink-muted">none</span>}</td>
                <td className={`${TABLE.td} max-w-sm break-words text-ink-soft`}>{e.description ?? <span className="text-ink-muted">—</span>}</td>
                <td className={`${TABLE.td} whitespace-nowrap`}>
                  <LocalTime ms={e.createdAt} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function PlanView({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.plan.list.queryOptions());
  const [open, setOpen] = useState<Open>(null);
  const entries = list.data ?? [];
  const current = open?.event != null ? (entries.find((e) => e.event === open.event) ?? null) : null;
  const openEntry = (event: string | null) => setOpen({ event, session: Date.now() });

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-ink">Tracking plan</h1>
          <p className="mt-1 max-w-2xl text-sm text-ink-muted">
            What each event your sources send must look like: its properties, their types, which are required. Events that break the plan are kept aside as failed
            events; events with no entry are let in, flagged or refused, as each source says.
          </p>
        </div>
        {canEdit && !open && (
          <button type="button" onClick={() => openEntry(null)} className={BUTTON.primary}>
            <Plus className="size-4" aria-hidden="true" />
            New event
          </button>
        )}
      </div>

      {open && list.isSuccess ? (
        // Only once the list is there, so an existing entry opens with its schema.
        <>
          <EntryEditor
            key={open.session}
            entry={current}
            canEdit={canEdit}
            onSaved={(event) => setOpen({ ...open, event })}
            onClose={() => setOpen(null)}
          />
          {open.event !== null && <EntryHistory event={open.event} />}
        </>
      ) : list.isPending ? (
        <div className="flex items-center gap-2 rounded-xl border border-line bg-surface px-5 py-10 text-sm text-ink-muted" role="status">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          Loading the tracking plan…
        </div>
      ) : list.isError ? (
        <div role="alert" className="rounded-xl border border-line bg-surface px-5 py-5">
          <p className="text-sm font-medium text-ink">Could not load the tracking plan</p>
          <Problem>{errorText(list.error)}</Problem>
          <button type="button" onClick={() => void list.refetch()} className={`${BUTTON.secondary} mt-4`}>
            Try again
          </button>
        </div>
      ) : entries.length === 0 ? (
        <div className="flex flex-col items-center rounded-xl border border-dashed border-line bg-surface px-8 py-14 text-center">
          <ClipboardList className="size-8 text-ink-muted" aria-hidden="true" />
          <h2 className="mt-3 text-base font-semibold text-ink">No events planned yet</h2>
          <p className="mt-1 max-w-md text-sm text-ink-soft">
            {canEdit ? "Add an entry for each event your website or app sends, such as “Order Completed”, with the properties it must carry." : "Editors and admins add the events here."}
          </p>
        </div>
      ) : (
        <EntriesTable entries={entries} onOpen={openEntry} />
      )}

      <PlanFailures canEdit={canEdit} />
    </main>
  );
}
