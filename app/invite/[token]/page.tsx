// An invite link: who it is for and with which role; the invited person makes their account.
import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/app/account/_components/forms";
import { LocalTime } from "@/app/account/_components/local-time";
import { InviteForm } from "@/app/account/_components/setup-form";
import { Field } from "@/app/_components/ui";
import { ROLE_LABEL, type Role } from "@/lib/roles";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Accept invite" };

type Invite = { ok: true; email: string | null; role: Role; expiresAt: number } | { ok: false; message: string };

const NOT_VALID = "This invite link is not valid; ask an admin for a new one";

async function inviteOf(token: string): Promise<Invite> {
  try {
    return { ok: true, ...(await api.setup.invite({ token })) };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    // A token of the wrong shape fails the input check; the server's own refusals say why.
    if (e.code === "BAD_REQUEST") return { ok: false, message: NOT_VALID };
    if (e.code === "NOT_FOUND" || e.code === "PRECONDITION_FAILED") return { ok: false, message: e.message || NOT_VALID };
    return { ok: false, message: "The server could not check this invite just now. Reload the page in a moment" };
  }
}

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invite = await inviteOf(token);

  if (!invite.ok) {
    return (
      <AuthCard title="This invite cannot be used" intro={<p>{invite.message.endsWith(".") ? invite.message : `${invite.message}.`}</p>}>
        <Link href="/login" className="mt-5 inline-block text-sm font-medium text-accent hover:underline">
          Go to sign in
        </Link>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="You are invited to Loopwright"
      intro={
        <>
          <p>Create your account to join this Loopwright.</p>
          <dl className="mt-3 rounded-lg bg-sunken px-3 py-2">
            <Field label="Role">{ROLE_LABEL[invite.role]}</Field>
            {invite.email && <Field label="E-mail">{invite.email}</Field>}
            <Field label="Valid until">
              <LocalTime ms={invite.expiresAt} />
            </Field>
          </dl>
          <p className="mt-2 text-xs text-ink-muted">The link works once.</p>
        </>
      }
    >
      <InviteForm token={token} email={invite.email} />
    </AuthCard>
  );
}
