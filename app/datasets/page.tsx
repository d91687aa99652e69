// Datasets: upload files for flows to read, and look into the tables runs produced.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { DatasetsView } from "./_components/datasets-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Datasets" };

export default async function DatasetsPage() {
  // Awaited (two SQLite reads): the page arrives with its lists, and the browser hydrates the same
  // markup instead of swapping a loading state for data mid-hydration.
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.dataset.files.queryOptions()), qc.prefetchQuery(trpc.dataset.list.queryOptions())]);
  return (
    <main className="mx-auto max-w-6xl space-y-10 px-6 py-8">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-ink">Datasets</h1>
        <p className="mt-1 text-sm text-ink-muted">Files you upload for flows to read, and the tables your runs produce. Select one to see its first 100 rows.</p>
      </div>
      <HydrateClient>
        <DatasetsView />
      </HydrateClient>
    </main>
  );
}
