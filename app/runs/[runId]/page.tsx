// One run: header, per-node results and output previews. The client view polls until it finishes.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { RunView } from "../_components/run-view";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  // Prefetched so the page arrives filled in; an unknown run is shown by the client as an error.
  await getQueryClient().prefetchQuery(trpc.run.get.queryOptions({ runId }));
  return (
    <HydrateClient>
      <RunView runId={runId} />
    </HydrateClient>
  );
}
