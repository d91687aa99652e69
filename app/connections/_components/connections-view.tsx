"use client";
// The Connections page for admins: the list, the form for a new or changed connection (above the
// list), and deleting with a confirmation. Every change refreshes all connection queries, so the
// node forms' selects see it too.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, LoaderCircle, Plus } from "lucide-react";
import { useState } from "react";
import { Problem } from "@/app/_components/ui";
import { BUTTON, Dialog } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";
import { ConnectionForm } from "./connection-form";
import { ConnectionsTable, type ConnectionRow } from "./connections-table";

type Editing = { mode: "new" } | { mode: "edit"; id: string } | null;

export function ConnectionsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const kinds = useQuery(trpc.connection.kinds.queryOptions());
  const list = useQuery(trpc.connection.adminList.queryOptions());
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<ConnectionRow | null>(null);
  const remove = useMutation(trpc.connection.remove.mutationOptions());

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.connection.pathKey() });
  const rows = list.data ?? [];
  const stored = editing?.mode === "edit" ? rows.find((c) => c.id === editing.id) : undefined;
  const startNew = () => setEditing({ mode: "new" });
  const closeDelete = () => {
    remove.reset();
    setDeleting(null);
  };

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-ink">Connections</h1>
          <p className="mt-1 max-w-2xl text-sm text-ink-muted">
            Databases, mail servers and APIs that flows use by name. Passwords and tokens are kept encrypted and never shown again; a connection only goes
            to the hosts listed for it.
          </p>
        </div>
        {editing === null && (
          <button type="button" onClick={startNew} className={BUTTON.primary} disabled={!kinds.data}>
            <Plus className="size-4" aria-hidden="true" />
            New connection
          </button>
        )}
      </div>

      {kinds.isError && (
        <div role="alert">
          <Problem>Could not load the kinds of connection: {errorText(kinds.error)}</Problem>
        </div>
      )}

      {editing && kinds.data && (editing.mode === "new" || stored) && (
        <ConnectionForm
          // A fresh form for every connection opened.
          key={editing.mode === "new" ? "new" : editing.id}
          kinds={kinds.data}
          stored={stored}
          onSaved={() => {
            void refresh();
            setEditing(null);
          }}
          onCancel={() => setEditing(null)}
        />
      )}

      {list.isPending ? (
        <div className="flex items-center gap-2 rounded-xl border border-line bg-surface px-5 py-10 text-sm text-ink-muted" role="status">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          Loading connections…
        </div>
      ) : list.isError ? (
        <div role="alert" className="rounded-xl border border-line bg-surface px-5 py-5">
          <p className="text-sm font-medium text-ink">Could not load the connections</p>
          <Problem>{errorText(list.error)}</Problem>
          <button type="button" onClick={() => void list.refetch()} className={`${BUTTON.secondary} mt-4`}>
            Try again
          </button>
        </div>
      ) : rows.length === 0 ? (
        editing === null && (
          <div className="flex flex-col items-center rounded-xl border border-dashed border-line bg-surface px-8 py-14 text-center">
            <KeyRound className="size-8 text-ink-muted" aria-hidden="true" />
            <h2 className="mt-3 text-base font-semibold text-ink">No connections yet</h2>
            <p className="mt-1 max-w-md text-sm text-ink-soft">
              Add the database a flow reads from or writes to, the mail server it sends with, or an API it calls. Nodes then offer it by name.
            </p>
          </div>
        )
      ) : (
        <ConnectionsTable
          connections={rows}
          kinds={kinds.data ?? []}
          editingId={editing?.mode === "edit" ? editing.id : null}
          onEdit={(c) => setEditing({ mode: "edit", id: c.id })}
          onDelete={(c) => {
            remove.reset();
            setDeleting(c);
          }}
          onTested={() => void refresh()}
        />
      )}

      <Dialog open={deleting !== null} title={deleting ? `Delete “${deleting.name}”?` : "Delete connection"} onClose={closeDelete}>
        {deleting && (
          <>
            <p className="mt-3 text-sm leading-relaxed text-ink-soft">
              Flows that name <span className="font-medium text-ink">{deleting.name}</span> will fail until they choose another connection. Its stored secrets are
              removed. This cannot be undone.
              {deleting.origin === "environment" && " It comes from the environment, so it is added again when the app restarts unless its variable is removed."}
            </p>
            {remove.error && (
              <div role="alert">
                <Problem>{errorText(remove.error)}</Problem>
              </div>
            )}
            <div className="mt-5 flex justify-end gap-2">
              <button type="button" onClick={closeDelete} className={BUTTON.secondary}>
                Cancel
              </button>
              <button
                type="button"
                disabled={remove.isPending}
                className={BUTTON.danger}
                onClick={() =>
                  remove.mutate(
                    { id: deleting.id },
                    {
                      onSuccess: () => {
                        if (editing?.mode === "edit" && editing.id === deleting.id) setEditing(null);
                        void refresh().then(closeDelete);
                      },
                    },
                  )
                }
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
