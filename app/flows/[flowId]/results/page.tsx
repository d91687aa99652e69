// A flow's results: its conversion goal (editors set it) and conversion per arm and per path
// against the control group, with intervals, p-values and charts. Linked from the editor's toolbar.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { HydrateClient, api, getQueryClient, trpc } from "@/trpc/server";
import { FlowResults } from "./_components/flow-results";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ flowId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { flowId } = await params;
  return { title: `Results of ${flowId}` };
}

export default async function FlowResultsPage({ params }: Params) {
  const { flowId } = await params;
  const flow = await api.flow.get({ flowId }).catch((err: { code?: string }) => {
    if (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST") notFound();
    throw err;
  });
  const [me] = await Promise.all([api.account.me(), getQueryClient().prefetchQuery(trpc.goal.results.queryOptions({ flowId }))]);
  return (
    <HydrateClient>
      <main className="mx-auto max-w-5xl space-y-6 px-6 py-8">
        <div>
          <p className="text-sm text-ink-muted">
            <Link href={`/flows/${flowId}`} className="hover:text-accent hover:underline">
              {flow.flow.name}
            </Link>{" "}
            ·{" "}
            <Link href={`/runs?flow=${flowId}`} className="hover:text-accent hover:underline">
              Runs
            </Link>
          </p>
          <h1 className="mt-1 text-xl font-semibold tracking-tight text-ink">Results</h1>
          <p className="mt-1 text-sm text-ink-muted">
            Did the customers this flow decided about do what it was for? Conversion by the flow&apos;s goal, per arm and per path, against the control group.
          </p>
        </div>
        <FlowResults flowId={flowId} readOnly={me?.role === "viewer"} />
      </main>
    </HydrateClient>
  );
}
