// Flows: every flow with its size, last edit and last run; create, rename, duplicate, delete.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { FlowsView } from "./_components/flows-view";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Flows" };

export default async function FlowsPage() {
  // Prefetched so the list arrives with the page; a failure is left to the client, which shows it.
  await getQueryClient().prefetchQuery(trpc.flow.list.queryOptions());
  return (
    <HydrateClient>
      <FlowsView />
    </HydrateClient>
  );
}
