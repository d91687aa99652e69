"use client";
// New flow: blank (name it), or from a template (one click makes it, runs a question, opens it).
import { useQuery } from "@tanstack/react-query";
import { ArrowRight, LoaderCircle } from "lucide-react";
import { useTemplate } from "@/app/_components/template-gallery";
import { useTRPC } from "@/trpc/react";
import { Dialog, NameForm } from "./dialog";

export function NewFlowDialog({
  open,
  pending,
  error,
  onSubmit,
  onClose,
}: {
  open: boolean;
  pending: boolean;
  error?: string | null;
  onSubmit: (name: string) => void;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const templates = useQuery({ ...trpc.template.list.queryOptions(), enabled: open, staleTime: 5 * 60_000 });
  const { start, busyId, error: templateError } = useTemplate();
  return (
    <Dialog open={open} title="New flow" onClose={onClose}>
      <h3 className="mt-3 text-xs font-semibold tracking-wide text-ink-muted uppercase">Blank</h3>
      <NameForm initial="" submitLabel="Create" pending={pending} error={error} onSubmit={onSubmit} onClose={onClose} />
      <h3 className="mt-6 text-xs font-semibold tracking-wide text-ink-muted uppercase">Or from a template</h3>
      <ul className="mt-2 space-y-1" aria-label="Templates">
        {(templates.data ?? []).map((t) => {
          const problem = templateError(t.id);
          return (
            <li key={t.id}>
              <button
                type="button"
                disabled={Boolean(busyId)}
                onClick={() => start(t)}
                className="flex w-full items-center gap-2 rounded-lg px-2 py-1.5 text-left text-sm text-ink-soft hover:bg-sunken hover:text-ink disabled:opacity-60"
              >
                {busyId === t.id ? <LoaderCircle className="size-4 shrink-0 animate-spin" aria-hidden="true" /> : <ArrowRight className="size-4 shrink-0 text-ink-muted" aria-hidden="true" />}
                <span className="min-w-0 flex-1">{t.question}</span>
                <span className="shrink-0 text-xs text-ink-muted">{t.kind === "question" ? "opens and runs" : "journey"}</span>
              </button>
              {problem && (
                <p role="alert" className="mx-2 mt-1 rounded bg-rose-50 px-2 py-1 text-xs text-rose-800">
                  {problem}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </Dialog>
  );
}
