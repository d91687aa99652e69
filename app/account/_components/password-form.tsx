"use client";
// Change my password: the current one, the new one twice, and whether to sign out elsewhere.
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";
import { FormError, FormNotice, Section, TextField } from "./forms";
import { MIN_PASSWORD, passwordProblem } from "./new-account-form";

export function PasswordForm() {
  const trpc = useTRPC();
  const change = useMutation(trpc.account.changePassword.mutationOptions());
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [signOutOthers, setSignOutOthers] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const checkId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setDone(null);
    const problem = !current ? "Type your current password." : passwordProblem(next, repeat);
    if (problem) return setError(problem);
    setError(null);
    setBusy(true);
    try {
      await change.mutateAsync({ currentPassword: current, newPassword: next, signOutOthers });
    } catch (err) {
      setBusy(false);
      return setError(errorText(err));
    }
    setBusy(false);
    setCurrent("");
    setNext("");
    setRepeat("");
    setDone(signOutOthers ? "Your password was changed, and your other sessions were signed out." : "Your password was changed.");
  };

  return (
    <Section title="Change password">
      <form className="max-w-md space-y-4" onSubmit={(e) => void submit(e)} noValidate>
        <TextField label="Current password" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          maxLength={256}
          value={next}
          onChange={(e) => setNext(e.target.value)}
          hint={`At least ${MIN_PASSWORD} characters.`}
        />
        <TextField label="Repeat new password" type="password" autoComplete="new-password" required maxLength={256} value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        <div className="flex items-center gap-2 text-sm text-ink-soft">
          <input id={checkId} type="checkbox" checked={signOutOthers} onChange={(e) => setSignOutOthers(e.target.checked)} className="size-4 accent-accent" />
          <label htmlFor={checkId}>Sign out my other sessions (other browsers and computers)</label>
        </div>
        <FormError>{error}</FormError>
        <FormNotice>{done}</FormNotice>
        <button type="submit" disabled={busy} className={BUTTON.primary}>
          {busy ? "Changing…" : "Change password"}
        </button>
      </form>
    </Section>
  );
}
