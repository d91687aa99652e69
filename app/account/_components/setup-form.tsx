"use client";
// The owner's account, from the one-time setup link.
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { NewAccountForm } from "./new-account-form";

export function SetupForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const complete = useMutation(trpc.setup.complete.mutationOptions());
  return <NewAccountForm submitLabel="Create admin account" create={(account) => complete.mutateAsync({ token, ...account })} />;
}

export function InviteForm({ token, email }: { token: string; email: string | null }) {
  const trpc = useTRPC();
  const accept = useMutation(trpc.setup.acceptInvite.mutationOptions());
  return <NewAccountForm fixedEmail={email} submitLabel="Create my account" create={(account) => accept.mutateAsync({ token, ...account })} />;
}
