"use client";
// My API keys, for the CLI and scripts: the list, a form to create one (shown once), revoke.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { atLeast, ROLES, type Role } from "@/lib/roles";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { CopyField } from "./copy-field";
import { FormError, Section, SelectField, TextField } from "./forms";
import { KeyTable } from "./key-table";
import { ROLE_NAME, roleDoes } from "./role-name";

type NewKey = RouterOutputs["account"]["createKey"];

function NewKeyShown({ created, onDone }: { created: NewKey; onDone: () => void }) {
  return (
    <div className="rounded-lg border border-amber-300 bg-amber-50 p-4">
      <p className="text-sm font-semibold text-amber-900">Your new key “{created.name}” ({ROLE_NAME[created.role]})</p>
      <p className="mt-1 text-sm text-amber-900">Copy it now: it will not be shown again.</p>
      <div className="mt-3">
        <CopyField label="API key" value={created.key} buttonLabel="Copy key" />
      </div>
      <p className="mt-1 text-xs text-amber-900">
        Use it with the command line as <code className="font-mono">LOOPWRIGHT_API_KEY</code>, or send it as <code className="font-mono">Authorization: Bearer …</code>.
      </p>
      <button type="button" onClick={onDone} className={`${BUTTON.secondary} mt-3`}>
        Done, I copied it
      </button>
    </div>
  );
}

export function ApiKeys({ myRole }: { myRole: Role }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.account.keys.queryOptions());
  const create = useMutation(trpc.account.createKey.mutationOptions());
  const allowed = ROLES.filter((r) => atLeast(myRole, r));
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>(allowed.includes("editor") ? "editor" : allowed[0]!);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<NewKey | null>(null);

  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.account.keys.queryKey() });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    if (!name.trim()) return setError("Give the key a name that says where it is used, e.g. “nightly report script”.");
    setError(null);
    create.mutate(
      { name: name.trim(), role },
      {
        onSuccess: (key) => {
          setCreated(key);
          setName("");
          refresh();
        },
        onError: (err) => setError(errorText(err)),
      },
    );
  };

  return (
    <Section
      title="API keys"
      intro="For the command line and scripts. A key acts as you, with the role you give it (never more than yours). Keep keys secret; revoke one you no longer use."
    >
      {created ? (
        <NewKeyShown created={created} onDone={() => setCreated(null)} />
      ) : (
        <form className="flex flex-wrap items-end gap-3" onSubmit={submit} noValidate>
          <TextField label="Key name" className="w-64" maxLength={100} placeholder="e.g. nightly report script" value={name} onChange={(e) => setName(e.target.value)} />
          <SelectField label="Role" className="w-44" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {allowed.map((r) => (
              <option key={r} value={r}>
                {ROLE_NAME[r]}
              </option>
            ))}
          </SelectField>
          <button type="submit" disabled={create.isPending} className={BUTTON.primary}>
            {create.isPending ? "Creating…" : "Create key"}
          </button>
          <p className="basis-full text-xs text-ink-muted">
            {ROLE_NAME[role]}: {roleDoes(role)}.
          </p>
        </form>
      )}
      <FormError>{error}</FormError>

      <div className="mt-5">
        {keys.isPending ? (
          <p className="text-sm text-ink-muted" role="status">
            Loading keys…
          </p>
        ) : keys.isError ? (
          <FormError>Could not load your keys: {errorText(keys.error)}</FormError>
        ) : (
          <KeyTable keys={keys.data} onChanged={refresh} />
        )}
      </div>
    </Section>
  );
}
