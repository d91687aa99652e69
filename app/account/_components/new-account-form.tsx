"use client";
// Name, e-mail and a password typed twice: the owner's account (setup link) and an invited
// person's (invite link). After the account is made, it signs in with it and goes home.
import { useState, type FormEvent } from "react";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { FormError, TextField } from "./forms";
import { signIn } from "./sign-in";

/** The server's rule too (server/auth.ts MIN_PASSWORD). */
export const MIN_PASSWORD = 10;

export interface NewAccount {
  name: string;
  email: string;
  password: string;
}

/** Why a new password will not do, or null. */
export function passwordProblem(password: string, repeat: string): string | null {
  if (password.length < MIN_PASSWORD) return `The password needs at least ${MIN_PASSWORD} characters (it has ${password.length}).`;
  if (password !== repeat) return "The two passwords are not the same. Type the password again in both boxes.";
  return null;
}

export function NewAccountForm({ fixedEmail, submitLabel, create }: { fixedEmail?: string | null; submitLabel: string; create: (account: NewAccount) => Promise<unknown> }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState(fixedEmail ?? "");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState<"form" | "creating" | "signing-in" | "created">("form");

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (step !== "form") return;
    const problem = !name.trim() ? "Give your name: it is shown to the other people in this Loopwright." : !email.trim() ? "Give your e-mail address: you sign in with it." : passwordProblem(password, repeat);
    if (problem) return setError(problem);
    setError(null);
    setStep("creating");
    try {
      await create({ name: name.trim(), email: (fixedEmail ?? email).trim(), password });
    } catch (err) {
      setStep("form");
      return setError(errorText(err));
    }
    setStep("signing-in");
    const signedIn = await signIn((fixedEmail ?? email).trim(), password);
    if (signedIn.ok) return window.location.assign("/");
    setStep("created");
    setError(`Your account is ready, but signing in did not work: ${signedIn.message}`);
  };

  if (step === "created") {
    return (
      <div className="mt-5">
        <FormError>{error}</FormError>
        <a href="/login" className={`${BUTTON.primary} mt-4`}>
          Go to sign in
        </a>
      </div>
    );
  }

  const busy = step !== "form";
  return (
    <form className="mt-5 space-y-4" onSubmit={(e) => void submit(e)} noValidate>
      <TextField label="Name" autoComplete="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} disabled={busy} autoFocus />
      {fixedEmail ? (
        <TextField label="E-mail" type="email" value={fixedEmail} readOnly hint="This invite is for this address; you sign in with it." />
      ) : (
        <TextField label="E-mail" type="email" autoComplete="email" required maxLength={320} value={email} onChange={(e) => setEmail(e.target.value)} disabled={busy} hint="You sign in with it." />
      )}
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        minLength={MIN_PASSWORD}
        maxLength={256}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        disabled={busy}
        hint={`At least ${MIN_PASSWORD} characters. A few unrelated words make a strong one.`}
      />
      <TextField label="Repeat password" type="password" autoComplete="new-password" required maxLength={256} value={repeat} onChange={(e) => setRepeat(e.target.value)} disabled={busy} />
      <FormError>{error}</FormError>
      <button type="submit" disabled={busy} className={`${BUTTON.primary} w-full py-2`}>
        {step === "creating" ? "Creating your account…" : step === "signing-in" ? "Signing in…" : submitLabel}
      </button>
    </form>
  );
}
