"use client";
// Everyone with an account: change a role (the server refuses to leave no admin), remove someone.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "@/app/account/_components/confirm-dialog";
import { FormError, Section, SMALL_SELECT, TABLE } from "@/app/account/_components/forms";
import { LocalTime } from "@/app/account/_components/local-time";
import { ROLE_NAME } from "@/app/account/_components/role-name";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { ROLES, type Role } from "@/lib/roles";
import { useTRPC, type RouterOutputs } from "@/trpc/react";

type User = RouterOutputs["users"]["list"][number];

export function UsersTable({ myId }: { myId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const setRole = useMutation(trpc.users.setRole.mutationOptions());
  const remove = useMutation(trpc.users.remove.mutationOptions());
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState<User | null>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
    // A removed person's keys go with them; a demoted person's keys act with the lower role.
    void queryClient.invalidateQueries({ queryKey: trpc.users.keys.queryKey() });
  };

  const changeRole = (user: User, role: Role) => {
    setProblem(null);
    setNotice(null);
    setRole.mutate(
      { userId: user.id, role },
      {
        onSuccess: (saved) => setNotice(`${saved.name} is now ${ROLE_NAME[saved.role].toLowerCase()}.`),
        onError: (err) => setProblem(`Could not change the role of ${user.name}: ${errorText(err)}`),
        onSettled: refresh,
      },
    );
  };

  return (
    <Section title="People" intro="Everyone who can sign in to this Loopwright, and their role. A change applies at once, to their API keys too.">
      {problem && <FormError>{problem}</FormError>}
      {notice && (
        <p role="status" className="mb-3 text-sm text-emerald-700">
          {notice}
        </p>
      )}
      {users.isPending ? (
        <p className="text-sm text-ink-muted" role="status">
          Loading people…
        </p>
      ) : users.isError ? (
        <FormError>Could not load the people: {errorText(users.error)}</FormError>
      ) : (
        <div className={`${TABLE.wrap} ${problem ? "mt-3" : ""}`}>
          <table className={TABLE.table}>
            <thead className={TABLE.head}>
              <tr>
                <th className={TABLE.th}>Name</th>
                <th className={TABLE.th}>E-mail</th>
                <th className={TABLE.th}>Role</th>
                <th className={TABLE.th}>Joined</th>
                <th className={TABLE.th}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className={TABLE.body}>
              {users.data.map((u) => {
                const busy = setRole.isPending && setRole.variables?.userId === u.id;
                return (
                  <tr key={u.id}>
                    <td className={`${TABLE.td} font-medium`}>
                      {u.name}
                      {u.id === myId && <span className="ml-1.5 text-xs font-normal text-ink-muted">(you)</span>}
                    </td>
                    <td className={TABLE.td}>{u.email}</td>
                    <td className={TABLE.td}>
                      <select
                        aria-label={`Role of ${u.email}`}
                        value={busy ? setRole.variables!.role : u.role}
                        disabled={busy}
                        onChange={(e) => changeRole(u, e.target.value as Role)}
                        className={`${SMALL_SELECT} w-36`}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_NAME[r]}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td className={`${TABLE.td} whitespace-nowrap`}>
                      <LocalTime ms={u.createdAt} dateOnly />
                    </td>
                    <td className={`${TABLE.td} text-right`}>
                      {u.id !== myId && (
                        <button
                          type="button"
                          aria-label={`Remove ${u.email}`}
                          className={BUTTON.secondary}
                          onClick={() => {
                            remove.reset();
                            setRemoving(u);
                          }}
                        >
                          Remove
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={removing ? `Remove ${removing.name}?` : "Remove"}
        confirmLabel="Remove user"
        pendingLabel="Removing…"
        pending={remove.isPending}
        error={remove.error ? errorText(remove.error) : null}
        onClose={() => setRemoving(null)}
        onConfirm={() =>
          removing &&
          remove.mutate(
            { userId: removing.id },
            {
              onSuccess: (gone) => {
                setRemoving(null);
                setProblem(null);
                setNotice(`${gone.name} (${gone.email}) was removed.`);
                refresh();
              },
            },
          )
        }
      >
        {removing?.name} ({removing?.email}) can no longer sign in, and their API keys stop working. Flows and runs they made stay. To let them back, send a new invite.
      </ConfirmDialog>
    </Section>
  );
}
