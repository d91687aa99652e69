"use client";
// A new or changed connection: its kind (new ones only), name, the kind's fields, and its hosts.
// The server checks everything; its answer shows next to the Save button.
import { useMutation } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { Problem } from "@/app/_components/ui";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import type { ConnectionRow } from "./connections-table";
import { HostsFields, INPUT, KindField, Labelled } from "./fields";
import { createInput, initialState, setValue, updateInput, usesHosts, usesPlainHttp, type FormState } from "./form-state";

type Kinds = RouterOutputs["connection"]["kinds"];

export function ConnectionForm({ kinds, stored, onSaved, onCancel }: { kinds: Kinds; stored?: ConnectionRow; onSaved: () => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const ids = useId();
  const [state, setState] = useState<FormState>(() => initialState(stored ? kinds.find((k) => k.kind === stored.kind) : undefined, stored));
  const [missingName, setMissingName] = useState(false);
  const create = useMutation(trpc.connection.create.mutationOptions());
  const update = useMutation(trpc.connection.update.mutationOptions());
  const spec = kinds.find((k) => k.kind === state.kind);
  const pending = create.isPending || update.isPending;
  const error = create.error ?? update.error;
  const title = stored ? `Edit “${stored.name}”` : "New connection";
  // The form opens above the list: bring it into view when opened from a row further down.
  const section = useRef<HTMLElement>(null);
  // Braces: in newer browsers scrollIntoView returns a promise, which React would call as the cleanup.
  useEffect(() => {
    section.current?.scrollIntoView({ block: "nearest" });
  }, []);

  const chooseKind = (kind: string) => {
    create.reset();
    setState((s) => initialState(kinds.find((k) => k.kind === kind), undefined, s.name));
  };

  const save = () => {
    if (!spec || pending) return;
    setMissingName(!state.name.trim());
    if (!state.name.trim()) return;
    if (stored) update.mutate({ id: stored.id, ...updateInput(spec, state) }, { onSuccess: onSaved });
    else create.mutate(createInput(spec, state), { onSuccess: onSaved });
  };

  return (
    <section ref={section} aria-labelledby={`${ids}-title`} className="rounded-xl border border-line bg-surface p-5 shadow-xs">
      <h2 id={`${ids}-title`} className="text-base font-semibold text-ink">
        {title}
      </h2>
      {stored?.origin === "environment" && (
        <p className="mt-2 rounded-md bg-amber-50 px-3 py-2 text-xs leading-snug text-amber-900">
          This connection comes from a LOOPWRIGHT_SECRET_… variable in the environment: what you change here is replaced by that variable when the app
          restarts. Change the variable to make it last.
        </p>
      )}
      <form
        className="mt-4 space-y-5"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <div className="grid gap-x-6 gap-y-4 sm:grid-cols-2">
          {stored ? (
            <div className="space-y-1 text-sm">
              <div className="font-medium text-ink">Kind</div>
              <div className="text-ink-soft">{spec?.label ?? stored.kind}</div>
            </div>
          ) : (
            <Labelled id={`${ids}-kind`} label="Kind" required help={spec ? undefined : "What the connection reaches: the form shows that kind's settings."}>
              <select id={`${ids}-kind`} value={state.kind} onChange={(e) => chooseKind(e.currentTarget.value)} aria-required className={INPUT} autoFocus>
                <option value="">Choose a kind</option>
                {kinds.map((k) => (
                  <option key={k.kind} value={k.kind}>
                    {k.label}
                  </option>
                ))}
              </select>
            </Labelled>
          )}
          {spec && (
            <Labelled id={`${ids}-name`} label="Name" required help="Flows choose the connection by this name: letters, digits, . _ - (e.g. warehouse, crm-mail).">
              <input
                id={`${ids}-name`}
                aria-describedby={`${ids}-name-help`}
                aria-required
                value={state.name}
                maxLength={64}
                onChange={(e) => {
                  const name = e.currentTarget.value;
                  setState((s) => ({ ...s, name }));
                }}
                autoComplete="off"
                spellCheck={false}
                className={INPUT}
              />
            </Labelled>
          )}
          {spec?.fields.map((f) => (
            <KindField
              key={`${spec.kind}-${f.name}`}
              field={f}
              state={state}
              secretSet={Boolean(stored?.secretsSet[f.name])}
              onValue={(name, value) => setState((s) => setValue(s, name, value))}
              onSecret={(name, value) => setState((s) => ({ ...s, secrets: { ...s.secrets, [name]: value } }))}
            />
          ))}
          {spec && usesHosts(spec.kind) && (
            <HostsFields
              state={state}
              plainHttp={usesPlainHttp(spec.kind)}
              onHosts={(hostsText) => setState((s) => ({ ...s, hostsText }))}
              onPlain={(plainHttp) => setState((s) => ({ ...s, plainHttp }))}
            />
          )}
        </div>

        {(missingName || error) && (
          <div role="alert">
            <Problem>{missingName ? "Give the connection a name: letters, digits, . _ - (e.g. warehouse)." : errorText(error)}</Problem>
          </div>
        )}
        <div className="flex justify-end gap-2">
          <button type="button" onClick={onCancel} className={BUTTON.secondary}>
            Cancel
          </button>
          <button type="submit" disabled={!spec || pending} className={BUTTON.primary}>
            {pending ? "Saving…" : "Save connection"}
          </button>
        </div>
      </form>
    </section>
  );
}
