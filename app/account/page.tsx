// My account: who I am, my password, signing out everywhere, my API keys.
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ApiKeys } from "./_components/api-keys";
import { PasswordForm } from "./_components/password-form";
import { Profile } from "./_components/profile";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const me = await api.account.me();
  if (!me) redirect("/login?next=%2Faccount");
  return (
    <main className="mx-auto max-w-5xl space-y-6 px-6 py-8">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-ink">Account</h1>
        <p className="mt-1 text-sm text-ink-muted">Your details, your password and your API keys.</p>
      </div>
      <Profile me={me} />
      {me.via === "session" && <PasswordForm />}
      <ApiKeys myRole={me.role} />
    </main>
  );
}
