// Small presentational pieces shared by the pages.
import type { ReactNode } from "react";

export const TONE = {
  good: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  bad: "bg-rose-50 text-rose-700 ring-rose-600/20",
  warn: "bg-amber-50 text-amber-800 ring-amber-600/25",
  busy: "bg-sky-50 text-sky-700 ring-sky-600/20",
  quiet: "bg-sunken text-ink-soft ring-line",
} as const;

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

export function ago(ms: number, now: number): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export const stamp = (ms: number) => new Date(ms).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" });

export function Badge({ tone, children }: { tone: keyof typeof TONE; children: ReactNode }) {
  return <span className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONE[tone]}`}>{children}</span>;
}

export function Card({ title, badge, children }: { title: string; badge?: ReactNode; children: ReactNode }) {
  return (
    <section className="flex flex-col rounded-xl border border-line bg-surface p-5 shadow-xs">
      <div className="mb-4 flex items-center justify-between gap-3">
        <h2 className="text-sm font-semibold text-ink">{title}</h2>
        {badge}
      </div>
      {children}
    </section>
  );
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[6.5rem_1fr] gap-3 py-1 text-sm">
      <dt className="text-ink-muted">{label}</dt>
      <dd className="min-w-0 break-words text-ink">{children}</dd>
    </div>
  );
}

export function Problem({ children }: { children: ReactNode }) {
  return <p className="mt-3 rounded-lg bg-rose-50 px-3 py-2 font-mono text-xs leading-relaxed break-words text-rose-800">{children}</p>;
}

export function Hint({ children }: { children: ReactNode }) {
  return <p className="mt-3 text-xs leading-relaxed text-ink-muted">{children}</p>;
}


export function Command({ children }: { children: string }) {
  return <pre className="mt-2 w-fit rounded-lg bg-ink px-4 py-2.5 font-mono text-sm text-canvas select-all">{children}</pre>;
}

/** What a first-time user does next; the Temporal step only while no worker is there to run anything. */

/** A server page's data that may fail: the value, or the message to show in its place. */
export async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
