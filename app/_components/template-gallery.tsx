"use client";
// The template gallery: ready flows phrased as business questions. One click makes the flow and,
// for a question, starts its first run, then opens the editor where the run shows live.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowRight, LoaderCircle } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";

export type TemplateCard = { id: string; question: string; answers: string; change: string; data: string; kind: "question" | "journey" };

/** Make a flow from a template (and run it, for a question), then open it. */
export function useTemplate() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [made, setMade] = useState<{ id: string; flowId: string; runError: string } | null>(null);
  const use = useMutation(
    trpc.template.use.mutationOptions({
      onSuccess: (r, input) => {
        void queryClient.invalidateQueries({ queryKey: trpc.flow.list.queryKey() });
        // A flow made whose run could not start: say why here, with the way to it.
        if (r.runError) setMade({ id: input.id, flowId: r.flowId, runError: r.runError });
        else router.push(`/flows/${r.flowId}`);
      },
    }),
  );
  const start = (t: Pick<TemplateCard, "id" | "kind">) => {
    setMade(null);
    use.mutate({ id: t.id, run: t.kind === "question" });
  };
  // Pending, and also once it succeeded while the editor loads.
  const busyId = use.isPending || (use.isSuccess && !made) ? use.variables?.id : undefined;
  const error = (id: string) => (use.isError && use.variables?.id === id ? errorText(use.error) : made?.id === id ? made.runError : null);
  return { start, busyId, error, made };
}

function useCanEdit(): boolean {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions(undefined, { staleTime: 60_000 }));
  return me.data?.role === "editor" || me.data?.role === "admin";
}

export function TemplateGallery({ templates }: { templates: TemplateCard[] }) {
  const { start, busyId, error, made } = useTemplate();
  const canEdit = useCanEdit();
  return (
    <ul className="grid grid-cols-2 gap-4 min-[1536px]:grid-cols-3" aria-label="Templates">
      {templates.map((t) => {
        const busy = busyId === t.id;
        const problem = error(t.id);
        return (
          <li key={t.id} className="flex flex-col rounded-xl border border-line bg-surface p-5 shadow-xs" data-template={t.id}>
            <h3 className="text-[15px] leading-snug font-semibold text-ink">{t.question}</h3>
            <p className="mt-2 text-sm leading-relaxed text-ink-soft">{t.answers}</p>
            <p className="mt-2 text-xs text-ink-muted">
              {t.kind === "journey" ? "Journey · " : ""}Data: {t.data}
            </p>
            <details className="mt-2 text-xs text-ink-soft">
              <summary className="cursor-pointer text-ink-muted hover:text-ink">For your own data</summary>
              <p className="mt-1 leading-relaxed">{t.change}</p>
            </details>
            {problem && (
              <p role="alert" className="mt-3 rounded-lg bg-rose-50 px-3 py-2 text-xs leading-relaxed text-rose-800">
                {problem}
                {made?.id === t.id && (
                  <>
                    {" "}
                    <Link href={`/flows/${made.flowId}`} className="font-medium underline">
                      Open the flow
                    </Link>
                  </>
                )}
              </p>
            )}
            <div className="mt-auto flex items-center gap-3 pt-4">
              <button
                type="button"
                disabled={!canEdit || Boolean(busyId)}
                onClick={() => start(t)}
                aria-label={`${t.kind === "question" ? "Open and run" : "Open"}: ${t.question}`}
                className="inline-flex items-center gap-1.5 rounded-lg bg-ink px-3 py-1.5 text-sm font-medium text-canvas hover:bg-ink/85 disabled:cursor-not-allowed disabled:opacity-50"
              >
                {busy ? <LoaderCircle className="size-4 animate-spin" aria-hidden="true" /> : <ArrowRight className="size-4" aria-hidden="true" />}
                {busy ? (t.kind === "question" ? "Making and running…" : "Making the flow…") : t.kind === "question" ? "Open and run" : "Open"}
              </button>
              {!canEdit && <span className="text-xs text-ink-muted">Editors can make flows from templates.</span>}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
