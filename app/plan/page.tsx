// The tracking plan: what each event's properties (and identify traits) must look like. Everyone
// signed in reads it; editors and admins change it and replay failed events.
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { api, getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { PlanView } from "./_components/plan-view";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Tracking plan" };

export default async function PlanPage() {
  const me = await api.account.me();
  if (!me) redirect(`/login?next=${encodeURIComponent("/plan")}`);
  // Prefetched so the list arrives with the page; a failure is left to the client, which shows it.
  const queryClient = getQueryClient();
  await Promise.all([queryClient.prefetchQuery(trpc.plan.list.queryOptions()), queryClient.prefetchQuery(trpc.plan.failures.queryOptions())]);
  return (
    <HydrateClient>
      <PlanView canEdit={me.role !== "viewer"} />
    </HydrateClient>
  );
}
