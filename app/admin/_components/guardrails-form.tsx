"use client";
// Admin > Guardrails: the rules every flow's marketing sends meet, in one form: a frequency cap
// per channel, quiet hours, the time zone of customers whose profile has none, and the global
// control group. Saved together; the server checks them again (lib/guardrails-rules.ts).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { FormError, FormNotice, Section, TextField } from "@/app/account/_components/forms";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import type { GuardrailChannel, GuardrailSettings } from "@/lib/guardrails-rules";
import { useTRPC } from "@/trpc/react";

const CHANNEL_NAME: Record<GuardrailChannel, string> = { email: "E-mail", sms: "SMS", push: "Push notifications", webhook: "Other webhooks" };

type CapDraft = { on: boolean; max: string; days: string };

function zones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["UTC"];
  }
}

function Form({ initial, channels }: { initial: GuardrailSettings; channels: readonly GuardrailChannel[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const save = useMutation(trpc.guardrails.save.mutationOptions());
  const [caps, setCaps] = useState<Record<string, CapDraft>>(() =>
    Object.fromEntries(channels.map((c) => [c, { on: !!initial.caps[c], max: String(initial.caps[c]?.max ?? 2), days: String(initial.caps[c]?.days ?? 7) }])),
  );
  const [quiet, setQuiet] = useState(initial.quietHours);
  const [timeZone, setTimeZone] = useState(initial.timeZone);
  const [control, setControl] = useState(String(initial.controlPercent));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const out: GuardrailSettings = { caps: {}, quietHours: quiet, timeZone: timeZone.trim(), controlPercent: Number(control) };
    for (const c of channels) {
      const d = caps[c]!;
      if (!d.on) continue;
      const max = Number(d.max);
      const days = Number(d.days);
      if (!Number.isInteger(max) || max < 1 || max > 1000) return setError(`${CHANNEL_NAME[c]}: the cap is a whole number of messages from 1 to 1,000.`);
      if (!Number.isInteger(days) || days < 1 || days > 90) return setError(`${CHANNEL_NAME[c]}: the cap counts 1 to 90 days.`);
      out.caps[c] = { max, days };
    }
    if (quiet.enabled && quiet.from === quiet.to) return setError("Quiet hours must start and end at different times.");
    if (!Number.isFinite(out.controlPercent) || out.controlPercent < 0 || out.controlPercent > 50) return setError("The global control group is 0 to 50 % of customers.");
    setError(null);
    save.mutate(out, {
      onSuccess: () => {
        setSaved(true);
        void queryClient.invalidateQueries({ queryKey: trpc.guardrails.get.queryKey() });
      },
      onError: (err) => setError(errorText(err)),
    });
  };

  return (
    <form className="space-y-6" onSubmit={submit} noValidate>
      <Section title="Frequency caps" intro="At most so many marketing messages per customer on a channel, across all flows, counted in calendar days of the customer's time zone (today and the days before). Messages over the cap are not sent; the ledger says why.">
        <div className="space-y-3">
          {channels.map((c) => {
            const d = caps[c]!;
            const set = (patch: Partial<CapDraft>) => setCaps({ ...caps, [c]: { ...d, ...patch } });
            return (
              <div key={c} className="flex flex-wrap items-end gap-3">
                <label className="flex h-10 w-48 items-center gap-2 text-sm font-medium text-ink">
                  <input type="checkbox" checked={d.on} onChange={(e) => set({ on: e.target.checked })} />
                  {CHANNEL_NAME[c]}
                </label>
                <TextField label="At most (messages)" aria-label={`${CHANNEL_NAME[c]}: at most (messages)`} type="number" className="w-40" min={1} max={1000} step={1} disabled={!d.on} value={d.max} onChange={(e) => set({ max: e.target.value })} />
                <TextField label="In (days)" aria-label={`${CHANNEL_NAME[c]}: in (days)`} type="number" className="w-32" min={1} max={90} step={1} disabled={!d.on} value={d.days} onChange={(e) => set({ days: e.target.value })} />
              </div>
            );
          })}
        </div>
      </Section>

      <Section title="Quiet hours" intro="Marketing that would reach a customer inside these hours, in their own time zone, waits and is sent when they end. It is not dropped.">
        <label className="flex items-center gap-2 text-sm font-medium text-ink">
          <input type="checkbox" checked={quiet.enabled} onChange={(e) => setQuiet({ ...quiet, enabled: e.target.checked })} />
          Hold marketing during quiet hours
        </label>
        <div className="mt-3 flex flex-wrap gap-3">
          <TextField label="From" type="time" className="w-36" disabled={!quiet.enabled} value={quiet.from} onChange={(e) => setQuiet({ ...quiet, from: e.target.value })} />
          <TextField label="Until" type="time" className="w-36" disabled={!quiet.enabled} value={quiet.to} onChange={(e) => setQuiet({ ...quiet, to: e.target.value })} hint="May be after midnight (21:00 until 08:00)." />
        </div>
      </Section>

      <Section title="Time zone and control group">
        <div className="flex flex-wrap gap-6">
          <div>
            <TextField label="Default time zone" className="w-72" list="guardrail-zones" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} hint="For customers whose profile has no timezone trait (e.g. Europe/Paris)." />
            <datalist id="guardrail-zones">
              {zones().map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </div>
          <TextField
            label="Global control group (%)"
            type="number"
            className="w-56"
            min={0}
            max={50}
            step={0.5}
            value={control}
            onChange={(e) => setControl(e.target.value)}
            hint="This share of customers (the same ones every time) gets no marketing from any flow, to measure what the programme adds. 0: none."
          />
        </div>
      </Section>

      <div className="flex items-center gap-3">
        <button type="submit" disabled={save.isPending} className={BUTTON.primary}>
          {save.isPending ? "Saving…" : "Save guardrails"}
        </button>
        <p className="text-xs text-ink-muted">Transactional messages (a node's Marketing switch off) pass caps, quiet hours and the control group.</p>
      </div>
      <FormError>{error}</FormError>
      <FormNotice>{saved ? "Saved. Sends from now on follow these rules." : null}</FormNotice>
    </form>
  );
}

export function GuardrailsForm() {
  const trpc = useTRPC();
  const current = useQuery(trpc.guardrails.get.queryOptions());
  if (current.isPending) {
    return (
      <p className="text-sm text-ink-muted" role="status">
        Loading the guardrails…
      </p>
    );
  }
  if (current.isError) return <FormError>Could not load the guardrails: {errorText(current.error)}</FormError>;
  return <Form initial={current.data.settings} channels={current.data.channels} />;
}
