"use client";
// What the charts share (./charts.tsx, ./segment-charts.tsx): reading a node's metrics safely, the
// colours, the frame around a chart, number formatting and the header row of the figures tables.
import type { ReactNode } from "react";

export type Row = Record<string, unknown>;
export const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
export const rows = (v: unknown): Row[] => (Array.isArray(v) ? v.filter((r): r is Row => typeof r === "object" && r !== null) : []);
export const pct = (v: number) => `${Math.round(v * 100)}%`;

export const INK = "var(--color-ink-soft)";
export const ACCENT = "var(--color-accent)";
export const MUTED = "var(--color-line)";
/** One colour per series (features of a segment profile), in order. */
export const SERIES = ["var(--color-kind-source)", "var(--color-kind-model)", "var(--color-kind-insight)", "var(--color-kind-action)", "var(--color-kind-transform)", "var(--color-kind-control)"];

export function Frame({ title, children, label }: { title: string; children: ReactNode; label: string }) {
  return (
    <figure className="rounded-lg border border-line bg-surface p-3" aria-label={label}>
      <figcaption className="mb-2 text-xs font-medium text-ink-soft">{title}</figcaption>
      <div className="h-44 w-full text-[10px]">{children}</div>
    </figure>
  );
}

export const axis = { tick: { fill: INK, fontSize: 10 }, stroke: MUTED };

export function fmt(v: unknown): string {
  const n = num(v);
  if (n === null) return String(v ?? "");
  return Math.abs(n) >= 1000 ? n.toLocaleString("en-US", { maximumFractionDigits: 0 }) : String(Number(n.toPrecision(3)));
}

/** The header row of the figures tables (comparisons, segment profile, lists of records). */
export function TableHead({ headings }: { headings: string[] }) {
  return (
    <thead className="text-ink-muted">
      <tr>
        {headings.map((h) => (
          <th key={h} scope="col" className="py-1 pr-3 font-medium">
            {h}
          </th>
        ))}
      </tr>
    </thead>
  );
}
