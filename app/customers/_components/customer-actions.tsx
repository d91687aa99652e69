"use client";
// A customer's part in flows: the runs they were in (by their events, or entering or leaving an
// audience) and what flows did to them (the decision ledger).
import Link from "next/link";
import type { ReactNode } from "react";
import { TABLE } from "@/app/account/_components/forms";
import { LocalTime } from "@/app/account/_components/local-time";
import { StatusBadge, type RunStatus } from "@/app/_components/status-badge";
import type { RouterOutputs } from "@/trpc/react";

type Customer = RouterOutputs["customer"]["get"];
type FlowEntry = Customer["flows"][number];

const Muted = ({ children }: { children: ReactNode }) => <span className="text-ink-muted">{children}</span>;

function how(f: FlowEntry): string {
  if (f.kind === "audience") return f.change === "left" ? "Left its audience" : "Entered its audience";
  if (f.kind === "webhook") return "A webhook call about them";
  if (f.kind === "event") return "Their events started it";
  return "Started with them";
}

export function FlowRuns({ flows }: { flows: FlowEntry[] }) {
  return (
    <section aria-labelledby="customer-flows-title" className="space-y-3">
      <div>
        <h2 id="customer-flows-title" className="text-base font-semibold text-ink">
          Flows they are in
        </h2>
        <p className="mt-1 text-sm text-ink-muted">Each time a flow ran with this customer: because of their events, or because they entered or left its audience.</p>
      </div>
      {flows.length === 0 ? (
        <p className="rounded-xl border border-dashed border-line bg-surface px-5 py-6 text-sm text-ink-muted">No flow has run with this customer yet.</p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-line bg-surface shadow-xs">
          <table className={TABLE.table} aria-label="Flows">
            <thead className={TABLE.head}>
              <tr>
                <th className={TABLE.th}>Flow</th>
                <th className={TABLE.th}>Why</th>
                <th className={TABLE.th}>When</th>
                <th className={TABLE.th}>Run</th>
              </tr>
            </thead>
            <tbody className={TABLE.body}>
              {flows.map((f) => (
                <tr key={f.runId}>
                  <td className={`${TABLE.td} break-words`}>
                    {f.flowName ? (
                      <Link href={`/flows/${f.flowId}`} className="font-medium text-accent hover:underline">
                        {f.flowName}
                      </Link>
                    ) : (
                      <Muted>{f.flowId} (deleted)</Muted>
                    )}
                  </td>
                  <td className={TABLE.td}>{how(f)}</td>
                  <td className={`${TABLE.td} whitespace-nowrap`}>
                    <LocalTime ms={f.at} />
                  </td>
                  <td className={TABLE.td}>
                    {f.runStatus ? (
                      <Link href={`/runs/${f.runId}`} className="inline-flex items-center gap-2 hover:underline" title="Open the run">
                        <span className="font-mono text-xs text-accent">{f.runId}</span>
                        <StatusBadge status={f.runStatus as RunStatus} />
                      </Link>
                    ) : f.error ? (
                      <span className="text-rose-700">Could not start: {f.error}</span>
                    ) : (
                      <Muted>Waiting to start</Muted>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const DECISION_STATUS: Record<string, string> = {
  sent: "bg-emerald-50 text-emerald-800",
  suppressed: "bg-amber-50 text-amber-800",
  failed: "bg-rose-50 text-rose-800",
};

/** The decision ledger: every e-mail, webhook call and sync about them, with why and how it went. */
export function Decisions({ decisions }: { decisions: Customer["decisions"] }) {
  return (
    <section aria-labelledby="customer-decisions-title" className="space-y-3">
      <div>
        <h2 id="customer-decisions-title" className="text-base font-semibold text-ink">
          Messages and decisions
        </h2>
        <p className="mt-1 text-sm text-ink-muted">What flows sent them or did about them, newest first, with the reason when something was held back.</p>
      </div>
      {decisions.length === 0 ? (
        <p className="rounded-xl border border-dashed border-line bg-surface px-5 py-6 text-sm text-ink-muted">No flow has contacted this customer yet.</p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-line bg-surface shadow-xs">
          <table className={TABLE.table} aria-label="Messages and decisions">
            <thead className={TABLE.head}>
              <tr>
                <th className={TABLE.th}>When</th>
                <th className={TABLE.th}>Channel</th>
                <th className={TABLE.th}>What</th>
                <th className={TABLE.th}>Outcome</th>
                <th className={TABLE.th}>Why</th>
                <th className={TABLE.th}>Run</th>
              </tr>
            </thead>
            <tbody className={TABLE.body}>
              {decisions.map((d) => (
                <tr key={d.key}>
                  <td className={`${TABLE.td} whitespace-nowrap`}>
                    <LocalTime ms={d.at} />
                  </td>
                  <td className={TABLE.td}>{d.channel === "email" ? "E-mail" : d.channel === "webhook" ? "Webhook" : d.channel === "sync" ? "Sync" : d.channel}</td>
                  <td className={`${TABLE.td} break-words`}>{d.what ?? <Muted>{d.nodeId}</Muted>}</td>
                  <td className={TABLE.td}>
                    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${DECISION_STATUS[d.status] ?? ""}`}>{d.status}</span>
                    {/* A real space, so the outcome reads (and copies) as "suppressed no consent …", not run together. */}
                    {d.reason && (
                      <>
                        {" "}
                        <span className="ml-1 text-xs text-ink-soft">{d.reason}</span>
                      </>
                    )}
                  </td>
                  <td className={`${TABLE.td} text-xs text-ink-soft`}>
                    {[d.model?.name ? `${d.model.name}${d.model.version ? ` v${d.model.version}` : ""}${typeof d.model.score === "number" ? `: score ${Math.round(d.model.score * 100)}%` : ""}` : null, d.arm ? `arm ${d.arm}` : null].filter(Boolean).join(" · ") || <Muted>—</Muted>}
                  </td>
                  <td className={TABLE.td}>
                    <Link href={`/runs/${d.runId}`} className="font-mono text-xs text-accent hover:underline">
                      {d.runId}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
