"use client";
// The sources as a table: name, the write key's first characters (the key itself is never shown
// again), when it was made, how many events it has had accepted, active or revoked, and Revoke.
import { useQuery } from "@tanstack/react-query";
import { LocalTime } from "@/app/account/_components/local-time";
import { TABLE } from "@/app/account/_components/forms";
import { Badge } from "@/app/_components/ui";
import { BUTTON } from "@/app/flows/_components/dialog";
import { useTRPC, type RouterOutputs } from "@/trpc/react";

export type SourceRow = RouterOutputs["source"]["list"][number];

/** Events accepted into the inbox from this source (limit 1: only the count is wanted here). */
function Accepted({ sourceId }: { sourceId: string }) {
  const trpc = useTRPC();
  const counts = useQuery(trpc.source.events.queryOptions({ sourceId, limit: 1 }, { refetchInterval: 15_000 }));
  if (counts.isPending) return <span className="text-ink-muted">…</span>;
  if (counts.isError) return <span className="text-xs text-rose-700">Could not count</span>;
  return <span className="tabular-nums">{counts.data.accepted.toLocaleString("en-US")}</span>;
}

export function SourcesTable({ sources, onRevoke }: { sources: SourceRow[]; onRevoke: (s: SourceRow) => void }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-line bg-surface shadow-xs">
      <table className={TABLE.table}>
        <thead className={TABLE.head}>
          <tr>
            <th className={TABLE.th}>Name</th>
            <th className={TABLE.th}>Write key</th>
            <th className={TABLE.th}>Created</th>
            <th className={`${TABLE.th} text-right`}>Accepted events</th>
            <th className={TABLE.th}>Status</th>
            <th className={TABLE.th}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className={TABLE.body}>
          {sources.map((s) => (
            <tr key={s.id} className={s.revokedAt ? "text-ink-muted" : undefined}>
              <td className={`${TABLE.td} font-medium break-words`}>{s.name}</td>
              <td className={`${TABLE.td} font-mono text-xs`}>{s.prefix}…</td>
              <td className={`${TABLE.td} whitespace-nowrap`}>
                <LocalTime ms={s.createdAt} dateOnly />
              </td>
              <td className={`${TABLE.td} text-right`}>
                <Accepted sourceId={s.id} />
              </td>
              <td className={`${TABLE.td} whitespace-nowrap`}>
                {s.revokedAt ? (
                  <Badge tone="quiet">
                    Revoked <LocalTime ms={s.revokedAt} dateOnly />
                  </Badge>
                ) : (
                  <Badge tone="good">Active</Badge>
                )}
              </td>
              <td className={`${TABLE.td} text-right`}>
                {!s.revokedAt && (
                  <button type="button" className={`${BUTTON.secondary} hover:bg-rose-50 hover:text-rose-700`} aria-label={`Revoke source ${s.name}`} onClick={() => onRevoke(s)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
