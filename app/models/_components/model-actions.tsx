"use client";
// The buttons that change a version's status, for the server-rendered model cards: each card is
// wrapped in <ModelActions>, its rows hold <VersionActions>, and <ActionProblem> says what went
// wrong. After a change (or a refusal: another tab may have changed things) the page refreshes
// from the server, so what is shown is what the registry holds.
import { useMutation } from "@tanstack/react-query";
import { Archive, LoaderCircle, Star } from "lucide-react";
import { useRouter } from "next/navigation";
import { createContext, useContext, useState, useTransition, type ReactNode } from "react";
import { Problem } from "@/app/_components/ui";
import { errorText } from "@/app/runs/_components/hooks";
import type { ModelStatus } from "@/nodes/sdk/types";
import { useTRPC } from "@/trpc/react";

type Action = "promote" | "archive";

interface Actions {
  /** A change is on its way (or the page is refreshing after one): every button of the card waits. */
  working: boolean;
  /** The button that started it, for its spinner. */
  started: { action: Action; version: number } | null;
  problem: string | null;
  run(action: Action, version: number): void;
}

const ActionsContext = createContext<Actions | null>(null);

function useActions(): Actions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error("VersionActions and ActionProblem belong inside <ModelActions>");
  return actions;
}

export function ModelActions({ name, children }: { name: string; children: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const [started, setStarted] = useState<Actions["started"]>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const promote = useMutation(trpc.model.promote.mutationOptions());
  const archive = useMutation(trpc.model.archive.mutationOptions());

  const run = (action: Action, version: number) => {
    setProblem(null);
    setStarted({ action, version });
    const refresh = () => startRefresh(() => router.refresh());
    (action === "promote" ? promote : archive).mutate(
      { name, version },
      {
        onSuccess: refresh,
        onError: (err) => {
          setProblem(`Could not ${action === "promote" ? `make version ${version} current` : `archive version ${version}`}: ${errorText(err)}`);
          refresh();
        },
      },
    );
  };

  const working = promote.isPending || archive.isPending || refreshing;
  return <ActionsContext.Provider value={{ working, started: working ? started : null, problem, run }}>{children}</ActionsContext.Provider>;
}

const BUTTON =
  "inline-flex items-center gap-1 rounded-md border border-line bg-surface px-2 py-1 text-xs font-medium text-ink-soft hover:bg-sunken hover:text-ink disabled:cursor-not-allowed disabled:opacity-50";

/** "Make current" for any version but the current one; "Archive" for candidates. */
export function VersionActions({ version, status }: { version: number; status: ModelStatus }) {
  const { working, started, run } = useActions();
  if (status === "current") return null;
  const spinning = (action: Action) => started?.action === action && started.version === version;
  return (
    <div className="flex justify-end gap-1.5">
      <button
        type="button"
        className={BUTTON}
        disabled={working}
        onClick={() => run("promote", version)}
        aria-label={`Make version ${version} current`}
        title={status === "archived" ? "Bring this archived version back as the one scoring by name uses" : "Use this version when a flow scores by the model's name"}
      >
        {spinning("promote") ? <LoaderCircle className="size-3.5 animate-spin" aria-hidden="true" /> : <Star className="size-3.5" aria-hidden="true" />}
        Make current
      </button>
      {status === "candidate" && (
        <button
          type="button"
          className={BUTTON}
          disabled={working}
          onClick={() => run("archive", version)}
          aria-label={`Archive version ${version}`}
          title="Keep this version for the record; scoring by name will never pick it"
        >
          {spinning("archive") ? <LoaderCircle className="size-3.5 animate-spin" aria-hidden="true" /> : <Archive className="size-3.5" aria-hidden="true" />}
          Archive
        </button>
      )}
    </div>
  );
}

/** The last refusal or failure of this card's buttons, announced when it appears. */
export function ActionProblem() {
  const { problem } = useActions();
  return (
    <div role="alert" className="empty:hidden px-5 pb-3">
      {problem && <Problem>{problem}</Problem>}
    </div>
  );
}
