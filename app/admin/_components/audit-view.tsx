"use client";
// Admin > Audit log: filters, the newest entries, "Load older" for more, and the same selection
// as a CSV file.
import { useInfiniteQuery } from "@tanstack/react-query";
import { Download, LoaderCircle } from "lucide-react";
import { useState } from "react";
import { FormError } from "@/app/account/_components/forms";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPCClient } from "@/trpc/react";
import { AuditFilters } from "./audit-filters";
import { auditSearchParams, type AuditQuery } from "./audit-params";
import { AuditTable } from "./audit-table";

const PAGE = 100;

type Cursor = { at: number; id: string } | undefined;

export function AuditView() {
  const client = useTRPCClient();
  const [query, setQuery] = useState<AuditQuery>({});
  const log = useInfiniteQuery({
    queryKey: ["audit-log", query],
    queryFn: ({ pageParam }) => client.audit.list.query({ ...query, before: pageParam, limit: PAGE }),
    initialPageParam: undefined as Cursor,
    getNextPageParam: (last): Cursor => {
      const oldest = last.at(-1);
      return last.length < PAGE || !oldest ? undefined : { at: oldest.at, id: oldest.id };
    },
  });
  const entries = log.data?.pages.flat() ?? [];
  const qs = auditSearchParams(query).toString();
  const olderError = log.isFetchNextPageError ? errorText(log.error) : null;

  return (
    <main className="mx-auto max-w-7xl space-y-5 px-6 py-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-ink">Audit log</h1>
          <p className="mt-1 text-sm text-ink-muted">Who did what, and when: sign-ins, people and roles, keys, connections, flows, runs and models. Newest first; entries are never changed.</p>
        </div>
        <a href={`/api/audit.csv${qs ? `?${qs}` : ""}`} download className={BUTTON.secondary}>
          <Download className="size-4" aria-hidden="true" />
          Export CSV
        </a>
      </div>

      <AuditFilters onApply={setQuery} />

      {log.isPending ? (
        <div className="flex items-center gap-2 rounded-xl border border-line bg-surface px-5 py-10 text-sm text-ink-muted" role="status">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          Loading the audit log…
        </div>
      ) : log.isError ? (
        <div className="rounded-xl border border-line bg-surface p-5">
          <FormError>Could not load the audit log: {errorText(log.error)}</FormError>
          <button type="button" onClick={() => void log.refetch()} className={`${BUTTON.secondary} mt-4`}>
            Try again
          </button>
        </div>
      ) : entries.length === 0 ? (
        <div className="rounded-xl border border-dashed border-line bg-surface px-5 py-10 text-center text-sm text-ink-soft">
          {qs ? "No entries match these filters." : "The audit log is empty."}
        </div>
      ) : (
        <>
          <AuditTable entries={entries} />
          <div className="flex items-center gap-3 text-sm text-ink-muted">
            <span role="status">
              {entries.length} {entries.length === 1 ? "entry" : "entries"} shown
            </span>
            {log.hasNextPage ? (
              <button type="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage} className={BUTTON.secondary}>
                {log.isFetchingNextPage ? "Loading…" : "Load older"}
              </button>
            ) : (
              <span>That is all.</span>
            )}
          </div>
          {olderError && <FormError>Could not load older entries: {olderError}</FormError>}
        </>
      )}
    </main>
  );
}
