// Runs: every run, newest first, optionally of one flow (`?flow=<id>`).
import type { Metadata } from "next";
import { FLOW_ID } from "@/workflows/graph/schema";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { RunsView } from "./_components/runs-view";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Runs" };

/** The most runs one page shows (run.list allows up to 200). */
const LIMIT = 200;

export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).flow;
  const flow = (Array.isArray(raw) ? raw[0] : raw)?.trim() || undefined;
  // A malformed id would only come back as an input error; say what is wrong instead.
  const badFlow = flow !== undefined && !FLOW_ID.test(flow) ? flow : undefined;
  const flowId = badFlow === undefined ? flow : undefined;

  const qc = getQueryClient();
  await Promise.all([
    badFlow === undefined ? qc.prefetchQuery(trpc.run.list.queryOptions({ flowId, limit: LIMIT })) : undefined,
    qc.prefetchQuery(trpc.flow.list.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <RunsView flowId={flowId} badFlow={badFlow} limit={LIMIT} />
    </HydrateClient>
  );
}
