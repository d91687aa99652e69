"use client";
// Beside an e-mail node's settings: its message rendered for one customer (their profile's traits,
// and row values typed in, prefilled with the upstream columns of the last run), before anything
// is sent. Uses the templates as they stand in the editor, saved or not. Nothing is sent.
import { useQuery } from "@tanstack/react-query";
import { Mail } from "lucide-react";
import { useId, useMemo, useState, type FormEvent } from "react";
import { useShallow } from "zustand/react/shallow";
import { Badge } from "@/app/_components/ui";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";
import { useFlowStore } from "../_store/flow-store";
import { BUTTON, inputClass } from "./config-field-parts";

type Scalar = string | number | boolean | null;

const FIELD_NAMES: Record<string, string> = { subject: "Subject", html: "HTML body", text: "Text alternative", customerId: "Customer", row: "Row values" };

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** `{"col": value}` with scalar values only, or the reason it is not. */
function parseRow(text: string): Record<string, Scalar> | string {
  if (!text.trim()) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return `not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return 'give an object, e.g. {"MonthlyCharges": 70.35}';
  for (const [k, x] of Object.entries(v)) {
    if (x !== null && !["string", "number", "boolean"].includes(typeof x)) return `"${k}": give a text, number, true/false or null`;
  }
  return v as Record<string, Scalar>;
}

export function EmailPreview({ nodeId }: { nodeId: string }) {
  const trpc = useTRPC();
  const ids = { customer: useId(), row: useId() };
  const config = useFlowStore((s) => s.nodes.find((n) => n.id === nodeId)?.data.config) as Record<string, unknown> | undefined;
  const upstream = useFlowStore(useShallow((s) => s.edges.filter((e) => e.target === nodeId).map((e) => `${e.source}\u0000${e.sourceHandle ?? ""}`)));
  const nodeRuns = useFlowStore((s) => s.nodeRuns);
  const columns = useMemo(() => {
    const names = new Set<string>();
    for (const key of upstream) {
      const [source, handle] = key.split("\u0000") as [string, string];
      for (const c of nodeRuns[source]?.outputs?.[handle]?.columns ?? []) names.add(c.name);
    }
    return [...names];
  }, [upstream, nodeRuns]);

  const [customerId, setCustomerId] = useState("");
  const [rowText, setRowText] = useState<string | null>(null);
  const shownRow = rowText ?? (columns.length ? JSON.stringify(Object.fromEntries(columns.map((c) => [c, null])), null, 1) : "");
  const [request, setRequest] = useState<{ config: { subject: string; html: string; text: string; emailColumn: string }; customerId: string; row: Record<string, Scalar> } | null>(null);
  const [rowProblem, setRowProblem] = useState<string | null>(null);
  const preview = useQuery(trpc.email.preview.queryOptions(request!, { enabled: request !== null, retry: false, staleTime: 0 }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const row = parseRow(shownRow);
    if (typeof row === "string") {
      setRowProblem(row);
      return;
    }
    setRowProblem(null);
    // Unset row values (null) are left out, so the template sees them as missing.
    const given = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));
    setRequest({ config: { subject: str(config?.subject), html: str(config?.html), text: str(config?.text), emailColumn: str(config?.emailColumn) }, customerId: customerId.trim(), row: given });
  };

  const data = preview.data;
  return (
    <section aria-label="E-mail preview" className="space-y-3 rounded-lg border border-line bg-canvas p-3">
      <h3 className="inline-flex items-center gap-1.5 text-xs font-semibold tracking-wide text-ink-muted uppercase">
        <Mail className="size-3.5" aria-hidden />
        Preview
      </h3>
      <p className="text-[11px] leading-relaxed text-ink-muted">The message one customer would get, from the templates below as they are now. Nothing is sent.</p>
      <form onSubmit={submit} className="space-y-2">
        <div>
          <label htmlFor={ids.customer} className="mb-1 block text-xs font-medium text-ink-soft">
            Customer id
          </label>
          <input id={ids.customer} value={customerId} onChange={(e) => setCustomerId(e.target.value)} placeholder="e.g. 7590-VHVEG" className={inputClass(false)} />
        </div>
        <div>
          <label htmlFor={ids.row} className="mb-1 block text-xs font-medium text-ink-soft">
            Row values (JSON; null for none)
          </label>
          <textarea
            id={ids.row}
            value={shownRow}
            onChange={(e) => setRowText(e.target.value)}
            rows={4}
            spellCheck={false}
            placeholder='{"MonthlyCharges": 70.35}'
            className="w-full rounded-md border border-line bg-surface px-2 py-1.5 font-mono text-[11px] text-ink focus:border-accent focus:ring-2 focus:ring-accent/20 focus:outline-none"
          />
          {rowProblem && <p className="mt-1 text-xs text-rose-700">{rowProblem}</p>}
        </div>
        <button type="submit" className={BUTTON} disabled={!customerId.trim() || preview.isFetching}>
          {preview.isFetching ? "Rendering…" : "Preview"}
        </button>
      </form>

      {preview.error && <p className="rounded-md bg-rose-50 px-2.5 py-2 text-xs leading-relaxed break-words text-rose-800">{errorText(preview.error)}</p>}
      {data && !data.ok && (
        <ul aria-label="Template problems" className="space-y-1 rounded-md bg-rose-50 px-2.5 py-2 text-xs leading-relaxed text-rose-800">
          {data.problems.map((p, i) => (
            <li key={i}>
              <span className="font-medium">{FIELD_NAMES[p.field] ?? p.field}</span>
              {p.line !== undefined ? `, line ${p.line}, column ${p.column}` : ""}: {p.message}
            </li>
          ))}
        </ul>
      )}
      {data?.ok && (
        <div className="space-y-2" aria-label="Rendered message">
          {data.suppressed ? <Badge tone="warn">Would not be sent: {data.suppressed}</Badge> : <Badge tone="good">Would be sent to {data.to}</Badge>}
          <p className="text-xs text-ink-soft">
            <span className="font-medium text-ink">Subject:</span> {data.subject}
          </p>
          {/* No scripts, no forms, no navigation: an empty sandbox. */}
          <iframe title="HTML body" sandbox="" srcDoc={data.html} className="h-56 w-full rounded-md border border-line bg-white" />
          <details>
            <summary className="cursor-pointer text-xs text-ink-soft">Text alternative</summary>
            <pre className="mt-1 max-h-48 overflow-auto rounded-md border border-line bg-surface p-2 text-[11px] whitespace-pre-wrap text-ink">{data.text}</pre>
          </details>
        </div>
      )}
    </section>
  );
}
