"use client";
// Invite someone: an optional e-mail address, a role, how many days the link works; the link is
// shown to copy and send (no mail server needed). Open invites can be withdrawn.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ConfirmDialog } from "@/app/account/_components/confirm-dialog";
import { CopyField } from "@/app/account/_components/copy-field";
import { FormError, Section, SelectField, TABLE, TextField } from "@/app/account/_components/forms";
import { LocalTime } from "@/app/account/_components/local-time";
import { ROLE_NAME, roleDoes } from "@/app/account/_components/role-name";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { ROLES, type Role } from "@/lib/roles";
import { useTRPC, type RouterOutputs } from "@/trpc/react";

type Created = RouterOutputs["users"]["invite"];
type Invite = RouterOutputs["users"]["invites"][number];

const forWhom = (email: string | null) => email ?? "anyone with the link";

function InviteLink({ created, onDone }: { created: Created; onDone: () => void }) {
  return (
    <div className="rounded-lg border border-sky-200 bg-sky-50 p-4">
      <p className="text-sm font-semibold text-sky-900">
        Invite created for {forWhom(created.email)}, as {ROLE_NAME[created.role].toLowerCase()}
      </p>
      <p className="mt-1 text-sm text-sky-900">
        Send this link to the person (by e-mail or chat). It works once, until <LocalTime ms={created.expiresAt} />. Copy it now: it will not be shown again.
      </p>
      <div className="mt-3">
        <CopyField label="Invite link" value={`${window.location.origin}/invite/${created.token}`} buttonLabel="Copy link" />
      </div>
      <button type="button" onClick={onDone} className={`${BUTTON.secondary} mt-2`}>
        Invite someone else
      </button>
    </div>
  );
}

function InviteForm({ onCreated }: { onCreated: (c: Created) => void }) {
  const trpc = useTRPC();
  const invite = useMutation(trpc.users.invite.mutationOptions());
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [days, setDays] = useState("7");
  const [error, setError] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (invite.isPending) return;
    const n = Number(days);
    if (!Number.isInteger(n) || n < 1 || n > 30) return setError("The link can work for 1 to 30 days: give a whole number in that range.");
    if (email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return setError(`“${email.trim()}” is not an e-mail address. Leave the box empty to invite anyone with the link.`);
    setError(null);
    invite.mutate({ email: email.trim() || null, role, days: n }, { onSuccess: onCreated, onError: (err) => setError(errorText(err)) });
  };

  return (
    <form className="space-y-3" onSubmit={submit} noValidate>
      <div className="flex flex-wrap items-end gap-3">
        <TextField label="E-mail (optional)" type="email" className="w-72" maxLength={320} placeholder="name@company.com" value={email} onChange={(e) => setEmail(e.target.value)} />
        <SelectField label="Role" className="w-40" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_NAME[r]}
            </option>
          ))}
        </SelectField>
        <TextField label="Valid for (days)" type="number" className="w-36" min={1} max={30} step={1} value={days} onChange={(e) => setDays(e.target.value)} />
        <button type="submit" disabled={invite.isPending} className={BUTTON.primary}>
          {invite.isPending ? "Creating…" : "Create invite"}
        </button>
      </div>
      <p className="text-xs text-ink-muted">
        {ROLE_NAME[role]}: {roleDoes(role)}. With an e-mail address, only that address can use the link.
      </p>
      <FormError>{error}</FormError>
    </form>
  );
}

export function Invites() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const open = useQuery(trpc.users.invites.queryOptions());
  const revoke = useMutation(trpc.users.revokeInvite.mutationOptions());
  const [created, setCreated] = useState<Created | null>(null);
  const [withdrawing, setWithdrawing] = useState<Invite | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.users.invites.queryKey() });

  return (
    <Section title="Invite people" intro="An invite is a link: the person opens it, chooses a password and joins with the role you pick.">
      {created ? (
        <InviteLink created={created} onDone={() => setCreated(null)} />
      ) : (
        <InviteForm
          onCreated={(c) => {
            setCreated(c);
            refresh();
          }}
        />
      )}

      <h3 className="mt-6 mb-2 text-sm font-semibold text-ink">Open invites</h3>
      {open.isPending ? (
        <p className="text-sm text-ink-muted" role="status">
          Loading invites…
        </p>
      ) : open.isError ? (
        <FormError>Could not load the invites: {errorText(open.error)}</FormError>
      ) : open.data.length === 0 ? (
        <p className="text-sm text-ink-muted">No open invites.</p>
      ) : (
        <div className={TABLE.wrap}>
          <table className={TABLE.table}>
            <thead className={TABLE.head}>
              <tr>
                <th className={TABLE.th}>For</th>
                <th className={TABLE.th}>Role</th>
                <th className={TABLE.th}>Created</th>
                <th className={TABLE.th}>Expires</th>
                <th className={TABLE.th}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className={TABLE.body}>
              {open.data.map((i) => (
                <tr key={i.id}>
                  <td className={TABLE.td}>{i.email ?? <span className="text-ink-muted">Anyone with the link</span>}</td>
                  <td className={TABLE.td}>{ROLE_NAME[i.role]}</td>
                  <td className={`${TABLE.td} whitespace-nowrap`}>
                    <LocalTime ms={i.createdAt} />
                  </td>
                  <td className={`${TABLE.td} whitespace-nowrap`}>
                    <LocalTime ms={i.expiresAt} />
                  </td>
                  <td className={`${TABLE.td} text-right`}>
                    <button
                      type="button"
                      aria-label={`Withdraw invite for ${forWhom(i.email)}`}
                      className={BUTTON.secondary}
                      onClick={() => {
                        revoke.reset();
                        setWithdrawing(i);
                      }}
                    >
                      Withdraw
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={withdrawing !== null}
        title="Withdraw this invite?"
        confirmLabel="Withdraw invite"
        pendingLabel="Withdrawing…"
        pending={revoke.isPending}
        error={revoke.error ? errorText(revoke.error) : null}
        onClose={() => setWithdrawing(null)}
        onConfirm={() =>
          withdrawing &&
          revoke.mutate(
            { id: withdrawing.id },
            {
              onSuccess: () => {
                setWithdrawing(null);
                refresh();
              },
            },
          )
        }
      >
        The invite link for {forWhom(withdrawing?.email ?? null)} stops working. You can send a new invite later.
      </ConfirmDialog>
    </Section>
  );
}
