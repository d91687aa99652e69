"use client";
// A new source: the form (its name), then its write key, shown this once, with a curl command and
// the @segment/analytics-node setup that send to this Loopwright's ingest process.
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { CopyField } from "@/app/account/_components/copy-field";
import { FormError, TextField } from "@/app/account/_components/forms";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { CopyBlock } from "./copy-block";
import { curlSnippet, nodeSnippet } from "./snippets";

export type CreatedSource = RouterOutputs["source"]["create"];

export function NewSourceForm({ onCreated, onCancel }: { onCreated: (created: CreatedSource) => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.source.create.mutationOptions());
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    if (!name.trim()) return setError("Give the source a name that says where its events come from, e.g. “website” or “ios-app”.");
    setError(null);
    create.mutate({ name: name.trim() }, { onSuccess: onCreated, onError: (err) => setError(errorText(err)) });
  };

  return (
    <section className="rounded-xl border border-line bg-surface p-5 shadow-xs" aria-labelledby="new-source-title">
      <h2 id="new-source-title" className="text-base font-semibold text-ink">
        New source
      </h2>
      <p className="mt-1 max-w-2xl text-sm text-ink-muted">One source per sender (a website, an app, a backend), so each has its own write key and can be revoked alone.</p>
      <form className="mt-4 flex flex-wrap items-end gap-3" onSubmit={submit} noValidate>
        <TextField
          label="Source name"
          className="w-72"
          maxLength={100}
          placeholder="e.g. website"
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <div className="flex gap-2">
          <button type="submit" disabled={create.isPending} className={BUTTON.primary}>
            {create.isPending ? "Creating…" : "Create source"}
          </button>
          <button type="button" onClick={onCancel} className={BUTTON.secondary}>
            Cancel
          </button>
        </div>
        <p className="basis-full text-xs text-ink-muted">Up to 100 letters, digits, spaces, . _ or -, starting with a letter or digit. A name stays taken after its source is revoked.</p>
      </form>
      <FormError>{error}</FormError>
    </section>
  );
}

/** The write key, this once, and how to send with it. */
export function NewSourceKey({ created, ingestUrl, onDone }: { created: CreatedSource; ingestUrl: string; onDone: () => void }) {
  return (
    <section className="rounded-xl border border-amber-300 bg-amber-50 p-5" aria-labelledby="new-key-title">
      <h2 id="new-key-title" className="text-base font-semibold text-amber-900">
        The write key of “{created.name}”
      </h2>
      <p className="mt-1 text-sm text-amber-900">Copy it now: it will not be shown again.</p>
      <div className="mt-3 max-w-2xl">
        <CopyField label="Write key" value={created.writeKey} buttonLabel="Copy key" />
      </div>
      <p className="text-xs text-amber-900">
        Senders give it as the basic-auth user name (no password) to the ingest API at <code className="font-mono">{ingestUrl}</code>, which takes Segment&apos;s
        HTTP Tracking API: <code className="font-mono">/v1/track</code>, <code className="font-mono">/v1/identify</code>, <code className="font-mono">/v1/batch</code>…
      </p>
      <div className="mt-4 grid gap-3">
        <CopyBlock label="Try it with curl" code={curlSnippet(created.writeKey, ingestUrl)} buttonLabel="Copy command" />
        <CopyBlock label="Send from Node.js with @segment/analytics-node" code={nodeSnippet(created.writeKey, ingestUrl)} buttonLabel="Copy code" />
      </div>
      <button type="button" onClick={onDone} className={`${BUTTON.secondary} mt-1`}>
        Done, I copied it
      </button>
    </section>
  );
}
