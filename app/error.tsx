"use client";
// Any page that fails to render: what went wrong in a sentence, and a way to try again.
import Link from "next/link";

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset(): void }) {
  return (
    <main className="mx-auto max-w-2xl px-6 py-16">
      <h1 className="text-lg font-semibold text-ink">This page could not be shown</h1>
      <p className="mt-2 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800">{error.message || "An unexpected error happened on the server."}</p>
      {error.digest && <p className="mt-2 text-xs text-ink-muted">Reference for the server log: {error.digest}</p>}
      <div className="mt-6 flex gap-3 text-sm">
        <button type="button" onClick={reset} className="rounded-md bg-ink px-3 py-1.5 font-medium text-canvas hover:bg-ink/85">
          Try again
        </button>
        <Link href="/" className="rounded-md border border-line px-3 py-1.5 text-ink hover:bg-sunken">
          Home
        </Link>
      </div>
    </main>
  );
}
