// Admin pages: a visitor who is not signed in goes to sign in; a signed-in non-admin reads why
// the page is empty (the server refuses the data anyway).
import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { api } from "@/trpc/server";

type Me = NonNullable<Awaited<ReturnType<typeof api.account.me>>>;

export async function AdminGate({ path, children }: { path: string; children: (me: Me) => ReactNode }) {
  const me = await api.account.me();
  if (!me) redirect(`/login?next=${encodeURIComponent(path)}`);
  if (me.role !== "admin") {
    return (
      <main className="mx-auto max-w-xl px-6 py-16">
        <div className="rounded-xl border border-line bg-surface p-6 shadow-xs">
          <h1 className="text-lg font-semibold text-ink">Only admins can open this page</h1>
          <p className="mt-2 text-sm leading-relaxed text-ink-soft">
            You are signed in as {me.email}, with the {me.role} role. Ask an admin of this Loopwright if you need something changed here.
          </p>
          <Link href="/" className="mt-4 inline-block text-sm font-medium text-accent hover:underline">
            Back to the start page
          </Link>
        </div>
      </main>
    );
  }
  return <>{children(me)}</>;
}
