// Sources of customer events and their write keys, for the ingest API. Admins create and revoke
// them and read the failed events; everyone else reads that only admins manage sources.
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { api, getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { FAILED_SHOWN, ingestBase } from "./_components/snippets";
import { SourcesView } from "./_components/sources-view";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Sources" };

export default async function SourcesPage() {
  const me = await api.account.me();
  if (!me) redirect(`/login?next=${encodeURIComponent("/sources")}`);
  if (me.role !== "admin") {
    return (
      <main className="mx-auto max-w-xl px-6 py-16">
        <div className="rounded-xl border border-line bg-surface p-6 shadow-xs">
          <h1 className="text-lg font-semibold text-ink">Sources</h1>
          <p className="mt-2 text-sm leading-relaxed text-ink-soft">
            Only admins manage sources. A source&apos;s write key lets a website, an app or a backend send customer events, so only an admin can create or revoke
            one. You are signed in as {me.email}, with the {me.role} role.
          </p>
          <Link href="/flows" className="mt-4 inline-block text-sm font-medium text-accent hover:underline">
            Back to the flows
          </Link>
        </div>
      </main>
    );
  }
  // Where senders reach the ingest process: `npm start` sets LOOPWRIGHT_INGEST_URL; read here, on
  // the server, at each request.
  const ingestUrl = ingestBase(process.env.LOOPWRIGHT_INGEST_URL);
  // Prefetched so the list arrives with the page; a failure is left to the client, which shows it.
  const queryClient = getQueryClient();
  await Promise.all([queryClient.prefetchQuery(trpc.source.list.queryOptions()), queryClient.prefetchQuery(trpc.source.events.queryOptions({ limit: FAILED_SHOWN }))]);
  return (
    <HydrateClient>
      <SourcesView ingestUrl={ingestUrl} />
    </HydrateClient>
  );
}
