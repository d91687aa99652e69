"use client";
// Form pieces shared by the sign-in, setup, invite, account and admin pages: labelled inputs,
// the error box, the centred card of the pages one sees before signing in.
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from "react";

/** Inputs and selects: one height, so fields in a row line up. */
const FIELD = "rounded-lg border border-line text-sm outline-none placeholder:text-ink-muted/70 focus:border-accent focus:ring-2 focus:ring-accent/20 disabled:opacity-60";
export const INPUT = `h-10 w-full px-3 ${FIELD}`;
/** A select inside a table row. */
export const SMALL_SELECT = `h-9 px-2 ${FIELD} bg-surface text-ink`;
/** Background by state; not `read-only:`, which matches every <select>. */
export const fieldBg = (readOnly: boolean | undefined) => (readOnly ? "bg-sunken text-ink-soft" : "bg-surface text-ink");

/** An input with its <label> above it and an optional hint below, tied together for screen readers. */
export function TextField({ label, hint, className, ...input }: { label: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-ink-soft">
        {label}
      </label>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} className={`mt-1.5 ${INPUT} ${fieldBg(input.readOnly)}`} {...input} />
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-ink-muted">
          {hint}
        </p>
      )}
    </div>
  );
}

export function SelectField({ label, hint, className, children, ...select }: { label: string; hint?: ReactNode; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-ink-soft">
        {label}
      </label>
      <select id={id} aria-describedby={hint ? `${id}-hint` : undefined} className={`mt-1.5 ${INPUT} ${fieldBg(false)}`} {...select}>
        {children}
      </select>
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-ink-muted">
          {hint}
        </p>
      )}
    </div>
  );
}

/** What went wrong, announced to screen readers as it appears. */
export function FormError({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="alert" className="mt-4 rounded-lg bg-rose-50 px-3 py-2 text-sm leading-relaxed break-words text-rose-800">
      {children}
    </p>
  );
}

/** Something that worked, announced politely. */
export function FormNotice({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="status" className="mt-4 rounded-lg bg-emerald-50 px-3 py-2 text-sm leading-relaxed text-emerald-800">
      {children}
    </p>
  );
}

/** The centred card of the pages seen before signing in (sign in, setup, invite). */
export function AuthCard({ title, intro, children }: { title: string; intro?: ReactNode; children: ReactNode }) {
  return (
    <main className="mx-auto flex max-w-md flex-col px-6 py-16">
      <div className="rounded-xl border border-line bg-surface p-6 shadow-xs">
        <h1 className="text-xl font-semibold tracking-tight text-ink">{title}</h1>
        {intro && <div className="mt-2 text-sm leading-relaxed text-ink-soft">{intro}</div>}
        {children}
      </div>
    </main>
  );
}

/** A page section with a heading, for the account and admin pages. */
export function Section({ title, intro, children, actions }: { title: string; intro?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="rounded-xl border border-line bg-surface p-5 shadow-xs">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 className="text-base font-semibold text-ink">{title}</h2>
          {intro && <p className="mt-1 max-w-2xl text-sm text-ink-muted">{intro}</p>}
        </div>
        {actions}
      </div>
      <div className="mt-4">{children}</div>
    </section>
  );
}

export const TABLE = {
  wrap: "overflow-x-auto rounded-lg border border-line",
  table: "w-full text-left text-sm",
  head: "border-b border-line bg-sunken/60 text-xs text-ink-muted",
  th: "px-3 py-2 font-medium",
  body: "divide-y divide-line",
  td: "px-3 py-2.5 align-middle",
} as const;
