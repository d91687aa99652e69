"use client";
// The Flows page: search, create, rename, duplicate and delete. The list is a query that every
// change invalidates, so what is shown is always what the server has.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, Plus, Search, Workflow } from "lucide-react";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { Problem } from "@/app/_components/ui";
import { errorText, useNow } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";
import { BUTTON, Dialog, NameDialog } from "./dialog";
import { FlowsTable, type FlowRow } from "./flows-table";
import { NewFlowDialog } from "./new-flow-dialog";

type Open = { kind: "create" } | { kind: "rename"; flow: FlowRow } | { kind: "delete"; flow: FlowRow } | null;

function NewFlowButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" onClick={onClick} className={BUTTON.primary}>
      <Plus className="size-4" aria-hidden="true" />
      New flow
    </button>
  );
}

function EmptyFlows({ onCreate }: { onCreate: () => void }) {
  return (
    <div className="flex flex-col items-center rounded-xl border border-dashed border-line bg-surface px-8 py-14 text-center">
      <Workflow className="size-8 text-ink-muted" aria-hidden="true" />
      <h2 className="mt-3 text-base font-semibold text-ink">No flows yet</h2>
      <p className="mt-1 max-w-md text-sm text-ink-soft">
        A flow connects steps that read data, train and score a model, and act on the result. Create one, then build it in the editor.
      </p>
      <div className="mt-5">
        <NewFlowButton onClick={onCreate} />
      </div>
    </div>
  );
}

export function FlowsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const now = useNow(30_000);
  const list = useQuery(trpc.flow.list.queryOptions());
  const [search, setSearch] = useState("");
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.flow.list.queryKey() });
  const create = useMutation(trpc.flow.create.mutationOptions());
  const rename = useMutation(trpc.flow.rename.mutationOptions());
  const duplicate = useMutation(trpc.flow.duplicate.mutationOptions());
  const remove = useMutation(trpc.flow.delete.mutationOptions());

  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    const flows = list.data ?? [];
    return q ? flows.filter((f) => f.name.toLowerCase().includes(q) || f.id.includes(q)) : flows;
  }, [list.data, search]);

  const openDialog = (next: Open) => {
    // A dialog shows the error of its own last attempt only.
    create.reset();
    rename.reset();
    remove.reset();
    setOpen(next);
  };
  const close = () => setOpen(null);
  const startCreate = () => openDialog({ kind: "create" });
  // The home page's "New blank flow" comes here with ?new=1.
  const asked = useSearchParams().get("new") === "1";
  useEffect(() => {
    if (asked) setOpen({ kind: "create" });
  }, [asked]);

  const onDuplicate = (flow: FlowRow) => {
    setNotice(null);
    duplicate.mutate(
      { flowId: flow.id },
      { onSuccess: () => void refresh(), onError: (err) => setNotice(`Could not duplicate “${flow.name}”: ${errorText(err)}`) },
    );
  };

  const hasFlows = (list.data?.length ?? 0) > 0;
  const busyId = duplicate.isPending ? duplicate.variables?.flowId : null;

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-ink">Flows</h1>
          <p className="mt-1 text-sm text-ink-muted">Every save is a new version; a run keeps the version it started with.</p>
        </div>
        {/* Hidden only when there is nothing to search: the empty state has its own button. */}
        {!(list.isSuccess && !hasFlows) && (
          <div className="flex items-center gap-3">
            <div className="relative">
              <Search className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-ink-muted" aria-hidden="true" />
              <input
                type="search"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
                placeholder="Search flows"
                aria-label="Search flows"
                className="w-64 rounded-lg border border-line bg-surface py-1.5 pr-3 pl-8 text-sm text-ink outline-none placeholder:text-ink-muted/80 focus:border-accent focus:ring-2 focus:ring-accent/20"
              />
            </div>
            <NewFlowButton onClick={startCreate} />
          </div>
        )}
      </div>

      {notice && (
        <div role="alert" className="-mt-3">
          <Problem>{notice}</Problem>
        </div>
      )}

      {list.isPending ? (
        <div className="flex items-center gap-2 rounded-xl border border-line bg-surface px-5 py-10 text-sm text-ink-muted" role="status">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          Loading flows…
        </div>
      ) : list.isError ? (
        <div role="alert" className="rounded-xl border border-line bg-surface px-5 py-5">
          <p className="text-sm font-medium text-ink">Could not load the flows</p>
          <Problem>{errorText(list.error)}</Problem>
          <button type="button" onClick={() => void list.refetch()} className={`${BUTTON.secondary} mt-4`}>
            Try again
          </button>
        </div>
      ) : !hasFlows ? (
        <EmptyFlows onCreate={startCreate} />
      ) : shown.length === 0 ? (
        <div className="rounded-xl border border-dashed border-line bg-surface px-5 py-10 text-center text-sm text-ink-soft">
          No flow matches “{search.trim()}”.
        </div>
      ) : (
        <FlowsTable
          flows={shown}
          now={now}
          busyId={busyId}
          onRename={(flow) => openDialog({ kind: "rename", flow })}
          onDuplicate={onDuplicate}
          onDelete={(flow) => openDialog({ kind: "delete", flow })}
        />
      )}

      <NewFlowDialog
        open={open?.kind === "create"}
        pending={create.isPending || create.isSuccess}
        error={create.error ? errorText(create.error) : null}
        onClose={close}
        onSubmit={(name) =>
          create.mutate(
            { name },
            {
              onSuccess: ({ flowId }) => {
                void refresh();
                router.push(`/flows/${flowId}`);
              },
            },
          )
        }
      />

      <NameDialog
        open={open?.kind === "rename"}
        title={open?.kind === "rename" ? `Rename “${open.flow.name}”` : "Rename"}
        initial={open?.kind === "rename" ? open.flow.name : ""}
        submitLabel="Rename"
        pending={rename.isPending}
        error={rename.error ? errorText(rename.error) : null}
        onClose={close}
        onSubmit={(name) => {
          if (open?.kind !== "rename") return;
          rename.mutate({ flowId: open.flow.id, name, expectedVersion: open.flow.latestVersion }, { onSuccess: () => void refresh().then(close) });
        }}
      />

      <Dialog open={open?.kind === "delete"} title={open?.kind === "delete" ? `Delete “${open.flow.name}”?` : "Delete flow"} onClose={close}>
        {open?.kind === "delete" && (
          <>
            <p className="mt-3 text-sm leading-relaxed text-ink-soft">
              This deletes <span className="font-medium text-ink">{open.flow.name}</span>, its {open.flow.latestVersion === 1 ? "version" : `${open.flow.latestVersion} versions`} and
              the record of all its runs. Datasets and models its runs produced are kept. This cannot be undone.
            </p>
            {remove.error && <Problem>{errorText(remove.error)}</Problem>}
            <div className="mt-5 flex justify-end gap-2">
              <button type="button" onClick={close} className={BUTTON.secondary}>
                Cancel
              </button>
              <button
                type="button"
                disabled={remove.isPending}
                className={BUTTON.danger}
                onClick={() => remove.mutate({ flowId: open.flow.id }, { onSuccess: () => void refresh().then(close) })}
              >
                {remove.isPending ? "Deleting…" : "Delete"}
              </button>
            </div>
          </>
        )}
      </Dialog>
    </main>
  );
}
