"use client";
// The sign-in form: e-mail and password, then on to the page the visitor came for.
import { useState, type FormEvent } from "react";
import { BUTTON } from "@/app/flows/_components/dialog";
import { safeNext } from "@/lib/request-guard";
import { FormError, TextField } from "./forms";
import { signIn } from "./sign-in";

export function LoginForm({ next }: { next: string | null }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!email.trim() || !password) return setError("Give your e-mail address and your password.");
    setError(null);
    setBusy(true);
    const result = await signIn(email, password);
    if (result.ok) {
      // A full load, so every part of the page (the navigation too) sees the new session.
      window.location.assign(safeNext(next));
      return;
    }
    setBusy(false);
    setError(result.message);
  };

  return (
    <form className="mt-5 space-y-4" onSubmit={(e) => void submit(e)} noValidate>
      <TextField label="E-mail" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
      <TextField label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      <FormError>{error}</FormError>
      <button type="submit" disabled={busy} className={`${BUTTON.primary} w-full py-2`}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
