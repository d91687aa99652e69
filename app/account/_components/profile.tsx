"use client";
// Who I am (name, e-mail, role) and "Sign out everywhere".
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Field } from "@/app/_components/ui";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { ROLE_LABEL, type Role } from "@/lib/roles";
import { useTRPC } from "@/trpc/react";
import { ConfirmDialog } from "./confirm-dialog";
import { Section } from "./forms";
import { signOut } from "./sign-in";

export function Profile({ me }: { me: { name: string; email: string; role: Role } }) {
  const trpc = useTRPC();
  const everywhere = useMutation(trpc.account.signOutEverywhere.mutationOptions());
  const [confirming, setConfirming] = useState(false);

  return (
    <Section
      title="Your account"
      actions={
        <button
          type="button"
          className={BUTTON.secondary}
          onClick={() => {
            everywhere.reset();
            setConfirming(true);
          }}
        >
          Sign out everywhere
        </button>
      }
    >
      <dl>
        <Field label="Name">{me.name}</Field>
        <Field label="E-mail">{me.email}</Field>
        <Field label="Role">{ROLE_LABEL[me.role]}</Field>
      </dl>
      <ConfirmDialog
        open={confirming}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        pendingLabel="Signing out…"
        pending={everywhere.isPending || everywhere.isSuccess}
        error={everywhere.error ? errorText(everywhere.error) : null}
        onClose={() => setConfirming(false)}
        onConfirm={() =>
          everywhere.mutate(undefined, {
            // The server has ended this session too; signing out here also clears its cookie.
            onSuccess: () => void signOut().finally(() => window.location.assign("/login")),
          })
        }
      >
        This ends every session of your account, on every computer and browser, this one included. You then sign in again here. API keys keep working; revoke them below if
        you need to.
      </ConfirmDialog>
    </Section>
  );
}
