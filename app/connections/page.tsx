// Connections: the credentials flows use by name (PostgreSQL, SQLite file, SMTP, HTTP API). Admins
// add, change, test and delete them here; everyone else reads that only admins manage them.
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { api, getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { ConnectionsView } from "./_components/connections-view";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Connections" };

export default async function ConnectionsPage() {
  const me = await api.account.me();
  if (!me) redirect(`/login?next=${encodeURIComponent("/connections")}`);
  if (me.role !== "admin") {
    return (
      <main className="mx-auto max-w-xl px-6 py-16">
        <div className="rounded-xl border border-line bg-surface p-6 shadow-xs">
          <h1 className="text-lg font-semibold text-ink">Connections</h1>
          <p className="mt-2 text-sm leading-relaxed text-ink-soft">
            Only admins manage connections. They hold passwords and tokens, so only an admin can add, change, test or delete them. You are signed in as{" "}
            {me.email}, with the {me.role} role; flows can still use a connection by choosing it in a node&apos;s settings.
          </p>
          <Link href="/flows" className="mt-4 inline-block text-sm font-medium text-accent hover:underline">
            Back to the flows
          </Link>
        </div>
      </main>
    );
  }
  // Prefetched so the list arrives with the page; a failure is left to the client, which shows it.
  const queryClient = getQueryClient();
  await Promise.all([queryClient.prefetchQuery(trpc.connection.kinds.queryOptions()), queryClient.prefetchQuery(trpc.connection.adminList.queryOptions())]);
  return (
    <HydrateClient>
      <ConnectionsView />
    </HydrateClient>
  );
}
