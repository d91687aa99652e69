"use client";
// API keys as a table: the person's own (Account) or everyone's (Admin > Users). The key itself
// is never here, only its first characters, so it can be recognised.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Badge } from "@/app/_components/ui";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import type { RouterOutputs } from "@/trpc/react";
import { useTRPC } from "@/trpc/react";
import { ConfirmDialog } from "./confirm-dialog";
import { TABLE } from "./forms";
import { LocalTime } from "./local-time";
import { ROLE_NAME } from "./role-name";

export type KeyRow = RouterOutputs["account"]["keys"][number];

export function KeyTable({ keys, showOwner = false, admin = false, onChanged }: { keys: KeyRow[]; showOwner?: boolean; admin?: boolean; onChanged: () => void }) {
  const trpc = useTRPC();
  const own = useMutation(trpc.account.revokeKey.mutationOptions());
  const anyone = useMutation(trpc.users.revokeKey.mutationOptions());
  const revoke = admin ? anyone : own;
  const [confirm, setConfirm] = useState<KeyRow | null>(null);

  if (keys.length === 0) return <p className="text-sm text-ink-muted">No API keys yet.</p>;

  return (
    <>
      <div className={TABLE.wrap}>
        <table className={TABLE.table}>
          <thead className={TABLE.head}>
            <tr>
              <th className={TABLE.th}>Name</th>
              {showOwner && <th className={TABLE.th}>Owner</th>}
              <th className={TABLE.th}>Key</th>
              <th className={TABLE.th}>Role</th>
              <th className={TABLE.th}>Created</th>
              <th className={TABLE.th}>Last used</th>
              <th className={TABLE.th}>Status</th>
              <th className={TABLE.th}>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className={TABLE.body}>
            {keys.map((k) => (
              <tr key={k.id} className={k.revokedAt ? "text-ink-muted" : undefined}>
                <td className={`${TABLE.td} font-medium`}>{k.name}</td>
                {showOwner && <td className={TABLE.td}>{k.owner ?? "—"}</td>}
                <td className={`${TABLE.td} font-mono text-xs`}>{k.prefix}…</td>
                <td className={TABLE.td}>{ROLE_NAME[k.role]}</td>
                <td className={`${TABLE.td} whitespace-nowrap`}>
                  <LocalTime ms={k.createdAt} dateOnly />
                </td>
                <td className={`${TABLE.td} whitespace-nowrap`}>{k.lastUsedAt ? <LocalTime ms={k.lastUsedAt} /> : "never"}</td>
                <td className={`${TABLE.td} whitespace-nowrap`}>
                  {k.revokedAt ? (
                    <Badge tone="quiet">
                      Revoked <LocalTime ms={k.revokedAt} dateOnly />
                    </Badge>
                  ) : (
                    <Badge tone="good">Active</Badge>
                  )}
                </td>
                <td className={`${TABLE.td} text-right`}>
                  {!k.revokedAt && (
                    <button
                      type="button"
                      className={BUTTON.secondary}
                      aria-label={`Revoke key ${k.name}`}
                      onClick={() => {
                        revoke.reset();
                        setConfirm(k);
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={confirm !== null}
        title={confirm ? `Revoke the key “${confirm.name}”?` : "Revoke key"}
        confirmLabel="Revoke key"
        pendingLabel="Revoking…"
        pending={revoke.isPending}
        error={revoke.error ? errorText(revoke.error) : null}
        onClose={() => setConfirm(null)}
        onConfirm={() =>
          confirm &&
          revoke.mutate(
            { id: confirm.id },
            {
              onSuccess: () => {
                setConfirm(null);
                onChanged();
              },
            },
          )
        }
      >
        Scripts and tools that use the key <span className="font-mono">{confirm?.prefix}…</span> stop working at once. This cannot be undone; you can create a new key.
      </ConfirmDialog>
    </>
  );
}
