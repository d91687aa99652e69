"use client";
// Audit entries as a table: when, who, what, on what, the outcome, the detail in one line.
import { Badge } from "@/app/_components/ui";
import { TABLE } from "@/app/account/_components/forms";
import { LocalTime } from "@/app/account/_components/local-time";
import type { RouterOutputs } from "@/trpc/react";
import { OUTCOME_LABEL } from "./audit-filters";
import { compactDetail, type Outcome } from "./audit-params";

export type AuditEntry = RouterOutputs["audit"]["list"][number];

const OUTCOME_TONE = { ok: "good", failed: "bad", refused: "warn" } as const;

function OutcomeBadge({ outcome }: { outcome: string }) {
  const known = outcome in OUTCOME_TONE ? (outcome as Outcome) : null;
  return <Badge tone={known ? OUTCOME_TONE[known] : "quiet"}>{known ? OUTCOME_LABEL[known] : outcome}</Badge>;
}

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <div className={`${TABLE.wrap} bg-surface shadow-xs`}>
      <table className={TABLE.table}>
        <thead className={TABLE.head}>
          <tr>
            <th className={`${TABLE.th} w-44`}>Time</th>
            <th className={`${TABLE.th} min-w-52`}>Who</th>
            <th className={TABLE.th}>Action</th>
            <th className={`${TABLE.th} min-w-40`}>On what</th>
            <th className={`${TABLE.th} w-24`}>Outcome</th>
            <th className={TABLE.th}>Details</th>
          </tr>
        </thead>
        <tbody className={TABLE.body}>
          {entries.map((e) => {
            const detail = compactDetail(e.detail);
            const full = e.detail ? JSON.stringify(e.detail, null, 2) : undefined;
            return (
              <tr key={e.id} className="align-top">
                <td className={`${TABLE.td} whitespace-nowrap text-ink-soft tabular-nums`}>
                  <LocalTime ms={e.at} />
                </td>
                <td className={`${TABLE.td} [overflow-wrap:anywhere]`}>
                  {e.actor}
                  {e.ip && <div className="text-xs text-ink-muted">from {e.ip}</div>}
                </td>
                <td className={`${TABLE.td} font-mono text-xs whitespace-nowrap`}>{e.action}</td>
                <td className={`${TABLE.td} break-words`}>{e.target ?? <span className="text-ink-muted">—</span>}</td>
                <td className={TABLE.td}>
                  <OutcomeBadge outcome={e.outcome} />
                </td>
                <td className={`${TABLE.td} max-w-sm font-mono text-xs break-words text-ink-soft`} title={full}>
                  {detail}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
