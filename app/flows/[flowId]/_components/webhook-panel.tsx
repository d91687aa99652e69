"use client";
// The webhook trigger's URL and credentials, beside its settings: the URL to copy, how senders
// prove who they are (from the saved version), and "Create secret" / "Rotate secret", which shows
// the new secret or token this once with an example of a call. Editors only: viewers cannot read
// the URL or make secrets, so they see a line saying so.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/app/account/_components/confirm-dialog";
import { CopyField } from "@/app/account/_components/copy-field";
import { Problem, stamp } from "@/app/_components/ui";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { CopyBlock } from "@/app/sources/_components/copy-block";
import { shellWord } from "@/app/sources/_components/snippets";
import { useTRPC, type RouterOutputs } from "@/trpc/react";

type Made = RouterOutputs["webhook"]["rotate"];

const EXAMPLE_BODY = JSON.stringify({ email: "ada@example.com", plan: "pro" });

/** A call with curl and the bearer token. */
function curlExample(url: string, token: string): string {
  return `curl -X POST ${shellWord(url)} \\\n  -H ${shellWord(`authorization: Bearer ${token}`)} \\\n  -H 'content-type: application/json' \\\n  -d ${shellWord(EXAMPLE_BODY)}`;
}

/** A signed call from Node.js with the reference Standard Webhooks library. */
function nodeExample(url: string, secret: string): string {
  return [
    `import { Webhook } from "standardwebhooks";`,
    ``,
    `const body = JSON.stringify(${EXAMPLE_BODY});`,
    `const id = crypto.randomUUID();`,
    `const now = new Date();`,
    `const signature = new Webhook(${JSON.stringify(secret)}).sign(id, now, body);`,
    `await fetch(${JSON.stringify(url)}, {`,
    `  method: "POST",`,
    `  headers: {`,
    `    "content-type": "application/json",`,
    `    "webhook-id": id,`,
    `    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),`,
    `    "webhook-signature": signature,`,
    `  },`,
    `  body,`,
    `});`,
  ].join("\n");
}

const heading = "mb-3 text-xs font-semibold tracking-wide text-ink-muted uppercase";

export function WebhookPanel({ flowId, readOnly }: { flowId: string; readOnly?: boolean }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  const isViewer = !me.data || me.data.role === "viewer";
  if (me.isPending) return null;
  if (isViewer) {
    return (
      <section aria-label="Webhook">
        <h3 className={heading}>Webhook</h3>
        <p className="text-xs leading-relaxed text-ink-muted">Editors see this flow&apos;s webhook URL and make its secret.</p>
      </section>
    );
  }
  return <WebhookDetails flowId={flowId} readOnly={readOnly} />;
}

function WebhookDetails({ flowId, readOnly }: { flowId: string; readOnly?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hook = useQuery(trpc.webhook.get.queryOptions({ flowId }));
  const rotate = useMutation(trpc.webhook.rotate.mutationOptions());
  const [made, setMade] = useState<Made | null>(null);
  const [confirming, setConfirming] = useState(false);

  const makeNew = () =>
    rotate.mutate(
      { flowId },
      {
        onSuccess: (m) => {
          setMade(m);
          setConfirming(false);
          void queryClient.invalidateQueries({ queryKey: trpc.webhook.get.queryKey({ flowId }) });
        },
      },
    );

  if (hook.isPending) return <p className="text-xs text-ink-muted">Loading the webhook…</p>;
  if (hook.error) return <Problem>{errorText(hook.error)}</Problem>;
  const w = hook.data;
  const token = w.auth === "token";
  const what = token ? "token" : "secret";

  return (
    <section aria-label="Webhook" className="space-y-3">
      <h3 className={heading}>Webhook</h3>
      <CopyField label="URL" value={w.url} buttonLabel="Copy" />
      {!w.active ? (
        <p className="text-xs leading-relaxed text-ink-muted">
          Save the flow: the URL takes calls once the saved version starts with this trigger. Then create its {token ? "token" : "secret"} here.
        </p>
      ) : (
        <>
          <dl className="space-y-1 text-xs">
            <div className="flex gap-2">
              <dt className="w-20 shrink-0 text-ink-muted">Senders use</dt>
              <dd className="text-ink">{token ? "a bearer token (Authorization: Bearer …)" : "Standard Webhooks signatures"}</dd>
            </div>
            <div className="flex gap-2">
              <dt className="w-20 shrink-0 text-ink-muted">{token ? "Token" : "Secret"}</dt>
              <dd className="text-ink">{w.hasCredential && w.createdAt ? `made ${stamp(w.createdAt)}` : <span className="text-amber-700">none yet: calls are refused</span>}</dd>
            </div>
          </dl>
          <p className="text-[11px] leading-relaxed text-ink-muted">
            The mode is the saved version&apos;s “auth” setting; save after changing it, then make a {what} for the new mode.
          </p>
          {!readOnly && !made && (
            <button type="button" disabled={rotate.isPending} onClick={() => (w.hasCredential ? setConfirming(true) : makeNew())} className={BUTTON.secondary}>
              <KeyRound className="size-4" aria-hidden="true" />
              {rotate.isPending ? "Making…" : w.hasCredential ? `Rotate ${what}` : `Create ${what}`}
            </button>
          )}
          {rotate.error && !confirming && <Problem>{errorText(rotate.error)}</Problem>}
          {made && <NewSecret made={made} onDone={() => setMade(null)} />}
          {!made && w.hasCredential && (
            <p className="text-[11px] leading-relaxed text-ink-muted">
              {token ? (
                <>
                  Senders POST JSON with <code className="font-mono">Authorization: Bearer &lt;token&gt;</code>; an <code className="font-mono">Idempotency-Key</code> header makes a resent call count once.
                </>
              ) : (
                <>
                  Senders sign each call with a Standard Webhooks library (<code className="font-mono">standardwebhooks</code> on npm and PyPI, or any sender that speaks
                  the spec). A replayed <code className="font-mono">webhook-id</code> runs once; a timestamp over 5 minutes old is refused.
                </>
              )}
            </p>
          )}
        </>
      )}
      <ConfirmDialog
        open={confirming}
        title={`Rotate the webhook ${what}?`}
        confirmLabel={`Rotate ${what}`}
        pendingLabel="Rotating…"
        pending={rotate.isPending}
        error={rotate.error && confirming ? errorText(rotate.error) : null}
        onClose={() => setConfirming(false)}
        onConfirm={makeNew}
      >
        The current {what} stops working within seconds: senders that use it are refused until they have the new one.
      </ConfirmDialog>
    </section>
  );
}

/** The new secret or token, this once, with an example call. */
function NewSecret({ made, onDone }: { made: Made; onDone: () => void }) {
  const token = made.auth === "token";
  return (
    <div className="space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-3">
      <p className="text-xs font-medium text-amber-900">Copy the new {token ? "token" : "secret"} now: it will not be shown again.</p>
      <CopyField label={token ? "Token" : "Signing secret"} value={made.secret} buttonLabel="Copy" />
      {token ? (
        <CopyBlock label="Try it with curl" code={curlExample(made.url, made.secret)} buttonLabel="Copy" />
      ) : (
        <>
          <p className="text-[11px] leading-relaxed text-amber-900">
            Give it to a Standard Webhooks sender (e.g. the <code className="font-mono">standardwebhooks</code> library for Node.js or Python). For example:
          </p>
          <CopyBlock label="Send from Node.js" code={nodeExample(made.url, made.secret)} buttonLabel="Copy" />
        </>
      )}
      <button type="button" onClick={onDone} className={BUTTON.secondary}>
        Done, I copied it
      </button>
    </div>
  );
}
