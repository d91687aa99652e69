"use client";
// The connections as a table: name (and where it comes from), kind, hosts, the last test, and per
// row Edit, Test connection and Delete. A test's answer shows in its row, with the reason in words.
import { useMutation } from "@tanstack/react-query";
import { Badge, ago, stamp } from "@/app/_components/ui";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText, useNow } from "@/app/runs/_components/hooks";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import type { KindSpec } from "./form-state";

export type ConnectionRow = RouterOutputs["connection"]["adminList"][number];

/** Why a test failed, in a word or two (the message says the rest). */
const REASON: Record<string, string> = {
  ok: "Connected",
  dns: "Host not found (DNS)",
  refused: "Connection refused",
  unreachable: "Unreachable",
  tls: "TLS certificate problem",
  auth: "Authentication failed",
  timeout: "Timed out",
  blocked: "Blocked address",
  "not-found": "Not found",
  other: "Failed",
};

interface Outcome {
  ok: boolean;
  message: string;
  at?: number;
  category?: string;
}

function TestOutcome({ outcome, now }: { outcome: Outcome; now: number | null }) {
  const word = outcome.ok ? "Connected" : (REASON[outcome.category ?? "other"] ?? "Failed");
  return (
    <div className="min-w-0 space-y-1">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={outcome.ok ? "good" : "bad"}>{word}</Badge>
        {outcome.at !== undefined && now !== null && (
          <time dateTime={new Date(outcome.at).toISOString()} title={stamp(outcome.at)} className="text-xs text-ink-muted">
            {ago(outcome.at, now)}
          </time>
        )}
      </div>
      <p className="text-xs leading-snug break-words text-ink-soft">{outcome.message}</p>
    </div>
  );
}

function Row({
  c,
  kindLabel,
  now,
  editing,
  onEdit,
  onDelete,
  onTested,
}: {
  c: ConnectionRow;
  kindLabel: string;
  now: number | null;
  editing: boolean;
  onEdit: () => void;
  onDelete: () => void;
  onTested: () => void;
}) {
  const trpc = useTRPC();
  const test = useMutation(trpc.connection.test.mutationOptions({ onSettled: onTested }));
  const fresh: Outcome | null = test.data ? { ...test.data, at: (test.data as { at?: number }).at ?? Date.now() } : null;
  const last: Outcome | null = fresh ?? c.lastTest ?? null;
  const plain = new Set(c.plainHttpHosts);
  return (
    <tr className={editing ? "bg-sunken/60" : "hover:bg-sunken/40"}>
      <td className="px-4 py-3 align-top">
        <div className="font-medium break-words text-ink">{c.name}</div>
        {c.origin === "environment" && (
          <div className="mt-1">
            <Badge tone="quiet">from environment</Badge>
          </div>
        )}
        {c.problem && <p className="mt-1 text-xs leading-snug break-words text-rose-700">{c.problem}</p>}
      </td>
      <td className="px-4 py-3 align-top text-ink-soft">{kindLabel}</td>
      <td className="px-4 py-3 align-top">
        {c.hosts.length === 0 ? (
          <span className="text-xs text-ink-muted">{c.kind === "sqlite" ? "A file on this server" : "None"}</span>
        ) : (
          <ul className="space-y-0.5 font-mono text-xs text-ink-soft">
            {c.hosts.map((h) => (
              <li key={h} className="break-all">
                {h}
                {plain.has(h) && <span className="ml-1.5 font-sans text-amber-700">(plain http allowed)</span>}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="px-4 py-3 align-top" aria-live="polite">
        {test.isPending ? (
          <span className="text-xs text-ink-muted">Testing…</span>
        ) : test.error ? (
          <p className="text-xs leading-snug break-words text-rose-700">{errorText(test.error)}</p>
        ) : last ? (
          <TestOutcome outcome={last} now={now} />
        ) : (
          <span className="text-xs text-ink-muted">Not tested yet</span>
        )}
      </td>
      <td className="px-3 py-3 text-right align-top">
        <div className="inline-flex flex-wrap justify-end gap-1.5">
          <button type="button" className={BUTTON.secondary} onClick={onEdit} disabled={editing}>
            Edit
          </button>
          <button type="button" className={BUTTON.secondary} onClick={() => test.mutate({ id: c.id })} disabled={test.isPending}>
            Test connection
          </button>
          <button type="button" className={`${BUTTON.secondary} hover:bg-rose-50 hover:text-rose-700`} onClick={onDelete}>
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}

export function ConnectionsTable({
  connections,
  kinds,
  editingId,
  onEdit,
  onDelete,
  onTested,
}: {
  connections: ConnectionRow[];
  kinds: KindSpec[];
  editingId: string | null;
  onEdit: (c: ConnectionRow) => void;
  onDelete: (c: ConnectionRow) => void;
  onTested: () => void;
}) {
  const now = useNow(30_000);
  const label = (kind: string) => kinds.find((k) => k.kind === kind)?.label ?? kind;
  return (
    <div className="overflow-x-auto rounded-xl border border-line bg-surface shadow-xs">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-line bg-sunken/60 text-xs text-ink-muted">
          <tr>
            <th className="px-4 py-2.5 font-medium">Name</th>
            <th className="px-4 py-2.5 font-medium">Kind</th>
            <th className="px-4 py-2.5 font-medium">Hosts</th>
            <th className="w-72 px-4 py-2.5 font-medium">Last test</th>
            <th className="px-4 py-2.5 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {connections.map((c) => (
            <Row
              key={c.id}
              c={c}
              kindLabel={label(c.kind)}
              now={now}
              editing={editingId === c.id}
              onEdit={() => onEdit(c)}
              onDelete={() => onDelete(c)}
              onTested={onTested}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
