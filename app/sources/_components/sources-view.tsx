"use client";
// The Sources page for admins: a new source (its write key shown once, with snippets to send with),
// the list with each source's accepted events and Revoke (after a confirmation), and the failed
// events below. Every change refreshes all source queries.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, Plus, Radio } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/app/account/_components/confirm-dialog";
import { Problem } from "@/app/_components/ui";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";
import { FailedEvents } from "./failed-events";
import { NewSourceForm, NewSourceKey, type CreatedSource } from "./new-source";
import { SourcesTable, type SourceRow } from "./sources-table";

export function SourcesView({ ingestUrl }: { ingestUrl: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.source.list.queryOptions());
  const revoke = useMutation(trpc.source.revoke.mutationOptions());
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedSource | null>(null);
  const [revoking, setRevoking] = useState<SourceRow | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.source.pathKey() });
  const rows = list.data ?? [];

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-ink">Sources</h1>
          <p className="mt-1 max-w-2xl text-sm text-ink-muted">
            Websites, apps and backends that send customer events. Each source has a write key; senders use it with Segment&apos;s libraries or plain HTTP at{" "}
            <code className="font-mono text-ink-soft">{ingestUrl}</code>.
          </p>
        </div>
        {!creating && !created && (
          <button type="button" onClick={() => setCreating(true)} className={BUTTON.primary}>
            <Plus className="size-4" aria-hidden="true" />
            New source
          </button>
        )}
      </div>

      {created ? (
        <NewSourceKey created={created} ingestUrl={ingestUrl} onDone={() => setCreated(null)} />
      ) : (
        creating && (
          <NewSourceForm
            onCreated={(made) => {
              setCreated(made);
              setCreating(false);
              void refresh();
            }}
            onCancel={() => setCreating(false)}
          />
        )
      )}

      {list.isPending ? (
        <div className="flex items-center gap-2 rounded-xl border border-line bg-surface px-5 py-10 text-sm text-ink-muted" role="status">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          Loading sources…
        </div>
      ) : list.isError ? (
        <div role="alert" className="rounded-xl border border-line bg-surface px-5 py-5">
          <p className="text-sm font-medium text-ink">Could not load the sources</p>
          <Problem>{errorText(list.error)}</Problem>
          <button type="button" onClick={() => void list.refetch()} className={`${BUTTON.secondary} mt-4`}>
            Try again
          </button>
        </div>
      ) : rows.length === 0 ? (
        !creating &&
        !created && (
          <div className="flex flex-col items-center rounded-xl border border-dashed border-line bg-surface px-8 py-14 text-center">
            <Radio className="size-8 text-ink-muted" aria-hidden="true" />
            <h2 className="mt-3 text-base font-semibold text-ink">No sources yet</h2>
            <p className="mt-1 max-w-md text-sm text-ink-soft">
              Create a source for each sender of events, such as your website or your app&apos;s backend, and give its write key to that sender.
            </p>
          </div>
        )
      ) : (
        <SourcesTable
          sources={rows}
          onRevoke={(s) => {
            revoke.reset();
            setRevoking(s);
          }}
        />
      )}

      <FailedEvents sources={rows} />

      <ConfirmDialog
        open={revoking !== null}
        title={revoking ? `Revoke the source “${revoking.name}”?` : "Revoke source"}
        confirmLabel="Revoke source"
        pendingLabel="Revoking…"
        pending={revoke.isPending}
        error={revoke.error ? errorText(revoke.error) : null}
        onClose={() => setRevoking(null)}
        onConfirm={() =>
          revoking &&
          revoke.mutate(
            { id: revoking.id },
            {
              onSuccess: () => {
                setRevoking(null);
                void refresh();
              },
            },
          )
        }
      >
        Senders that use the write key <span className="font-mono">{revoking?.prefix}…</span> are refused (401) within about 10 seconds. Events already accepted
        are kept. This cannot be undone; for a new key, create a source with another name.
      </ConfirmDialog>
    </main>
  );
}
