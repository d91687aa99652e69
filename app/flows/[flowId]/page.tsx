// The flow editor page: the saved flow (latest version, a draft or not), the node catalog, and the
// latest run so the canvas shows its results at once.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { api } from "@/trpc/server";
import { Editor } from "./_components/editor";
import { metaOf } from "./_lib/draft-save";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ flowId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { flowId } = await params;
  return { title: `Edit ${flowId}` };
}

export default async function FlowEditorPage({ params }: Params) {
  const { flowId } = await params;
  const flow = await api.flow.get({ flowId }).catch((err: { code?: string }) => {
    if (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST") notFound();
    throw err;
  });
  const [catalog, runs, me] = await Promise.all([api.catalog.list(), api.run.list({ flowId, limit: 1 }), api.account.me()]);
  return <Editor flowId={flow.flow.id} version={flow.version} graph={flow.graph} saved={metaOf(flow)} catalog={catalog} latestRunId={runs[0]?.id ?? null} readOnly={me?.role === "viewer"} />;
}
