"use client";
// One tracking plan entry as a form: event name (or "Identify traits"), description, the properties
// table and "Only listed properties". Editors save a new version; the server's refusal (ajv's
// reason) shows under the form. Viewers see the same form read-only.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Plus } from "lucide-react";
import { useId, useState, type FormEvent } from "react";
import { FormError, FormNotice, TextField } from "@/app/account/_components/forms";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { PropertyRows } from "./property-rows";
import { emptyModel, emptyRow, formProblems, IDENTIFY_EVENT, modelFromSchema, schemaFromModel, stableJson, type FormModel } from "./schema-form";

export type PlanEntry = RouterOutputs["plan"]["list"][number];

export function EntryEditor({ entry, canEdit, onSaved, onClose }: { entry: PlanEntry | null; canEdit: boolean; onSaved: (event: string) => void; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const save = useMutation(trpc.plan.save.mutationOptions());
  const id = useId();
  const [event, setEvent] = useState(entry?.event ?? "");
  const [identify, setIdentify] = useState(entry?.event === IDENTIFY_EVENT);
  const [description, setDescription] = useState(entry?.description ?? "");
  const [model, setModel] = useState<FormModel>(() => (entry ? modelFromSchema(entry.schema) : emptyModel()));
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const readOnly = !canEdit;
  // An existing entry keeps its name: a new name is a new entry.
  const nameLocked = readOnly || entry !== null;
  const name = identify ? IDENTIFY_EVENT : event.trim();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (readOnly || save.isPending) return;
    setNotice(null);
    if (!name) return setError("Give the event name, exactly as your website or app sends it, e.g. “Order Completed”.");
    const problems = formProblems(model);
    if (problems.length) return setError(problems.join(" "));
    setError(null);
    save.mutate(
      { event: name, schema: schemaFromModel(model), description: description.trim() || null },
      {
        onSuccess: (saved) => {
          setNotice(`Saved version ${saved.version} of “${saved.event}”. Events that arrive from now on are checked against it.`);
          void queryClient.invalidateQueries({ queryKey: trpc.plan.pathKey() });
          onSaved(saved.event);
        },
        onError: (err) => setError(errorText(err)),
      },
    );
  };

  const title = entry ? (entry.event === IDENTIFY_EVENT ? "Identify traits" : entry.event) : "New event";
  const entryOther = Object.keys(model.other).length > 0;

  return (
    <section className="rounded-xl border border-line bg-surface p-5 shadow-xs" aria-labelledby={`${id}-title`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id={`${id}-title`} className="text-base font-semibold text-ink">
            {title}
            {entry && <span className="ml-2 text-sm font-normal text-ink-muted">version {entry.version}</span>}
          </h2>
          <p className="mt-1 max-w-2xl text-sm text-ink-muted">
            {readOnly
              ? "You can read the tracking plan; editors and admins change it."
              : "List the properties this event carries. Events that break these rules are kept aside as failed events, with the reason, until they are fixed and replayed."}
          </p>
        </div>
        <button type="button" onClick={onClose} className={BUTTON.secondary}>
          Back to the plan
        </button>
      </div>

      <form className="mt-4 space-y-4" onSubmit={submit} noValidate>
        <div className="flex flex-wrap items-end gap-4">
          <TextField
            label="Event name"
            className="w-80"
            maxLength={200}
            placeholder="e.g. Order Completed"
            value={identify ? IDENTIFY_EVENT : event}
            readOnly={nameLocked || identify}
            onChange={(e) => setEvent(e.target.value)}
          />
          <div className="flex items-center gap-2 pb-2.5">
            <input
              id={`${id}-identify`}
              type="checkbox"
              className="size-4 accent-accent"
              checked={identify}
              disabled={nameLocked}
              aria-describedby={`${id}-identify-hint`}
              onChange={(e) => setIdentify(e.target.checked)}
            />
            <label htmlFor={`${id}-identify`} className="text-sm font-medium text-ink-soft">
              Identify traits
            </label>
            <span id={`${id}-identify-hint`} className="text-xs text-ink-muted">
              (rules for the traits of identify calls, not an event)
            </span>
          </div>
        </div>
        <TextField label="Description" maxLength={2000} placeholder="What this event means and when it is sent" value={description} readOnly={readOnly} onChange={(e) => setDescription(e.target.value)} />

        <div className="space-y-2">
          <h3 className="text-sm font-medium text-ink-soft">{identify ? "Traits" : "Properties"}</h3>
          <PropertyRows rows={model.rows} readOnly={readOnly} onChange={(rows) => setModel({ ...model, rows })} />
          {!readOnly && (
            <button type="button" className={BUTTON.secondary} onClick={() => setModel({ ...model, rows: [...model.rows, emptyRow()] })}>
              <Plus className="size-4" aria-hidden="true" />
              Add property
            </button>
          )}
        </div>

        <div className="flex items-center gap-2">
          <input
            id={`${id}-only`}
            type="checkbox"
            className="size-4 accent-accent"
            checked={model.onlyListed}
            disabled={readOnly}
            onChange={(e) => setModel({ ...model, onlyListed: e.target.checked })}
          />
          <label htmlFor={`${id}-only`} className="text-sm text-ink-soft">
            Refuse properties that are not listed
          </label>
        </div>

        {entryOther && (
          <div>
            <p className="text-xs text-ink-muted">Other rules for the whole entry (kept as they are)</p>
            <code className="block rounded bg-sunken px-2 py-1 font-mono text-xs break-all text-ink-soft">{stableJson(model.other)}</code>
          </div>
        )}

        {!readOnly && (
          <button type="submit" disabled={save.isPending} className={BUTTON.primary}>
            {save.isPending ? "Saving…" : "Save entry"}
          </button>
        )}
      </form>
      <FormError>{error}</FormError>
      <FormNotice>{notice}</FormNotice>
    </section>
  );
}
