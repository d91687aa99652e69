// First run: the one-time setup link `npm start` prints creates the owner (admin) account.
import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/app/account/_components/forms";
import { SetupForm } from "@/app/account/_components/setup-form";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Set up Loopwright" };

type State = "valid" | "done" | "invalid" | "expired" | "unknown";

const REFUSED: Record<Exclude<State, "valid">, { title: string; text: string }> = {
  done: { title: "Loopwright is already set up", text: "The admin account exists, so this link has done its job. Sign in, or ask an admin for an invite." },
  invalid: {
    title: "This setup link does not work",
    text: "Loopwright makes a new setup link each time it starts, and only the newest one works. Use the link it printed last when it started.",
  },
  expired: { title: "This setup link has expired", text: "A setup link works for 24 hours. Restart Loopwright: it prints a new link." },
  unknown: { title: "Could not check this setup link", text: "The server could not check the link just now. Reload the page in a moment." },
};

async function stateOf(token: string | null): Promise<State> {
  if (!token) return "invalid";
  try {
    return (await api.setup.state({ token })).state;
  } catch (err) {
    // A token of the wrong shape fails the input check: it is not a link Loopwright made.
    return (err as { code?: string }).code === "BAD_REQUEST" ? "invalid" : "unknown";
  }
}

export default async function SetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token: raw } = await searchParams;
  const token = typeof raw === "string" ? raw : null;
  const state = await stateOf(token);

  if (state !== "valid" || !token) {
    const { title, text } = REFUSED[state === "valid" ? "invalid" : state];
    return (
      <AuthCard title={title} intro={<p>{text}</p>}>
        <Link href="/login" className="mt-5 inline-block text-sm font-medium text-accent hover:underline">
          Go to sign in
        </Link>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Set up Loopwright"
      intro={<p>Create the first account. It is an admin: it can invite the rest of your team, manage connections and read the audit log.</p>}
    >
      <SetupForm token={token} />
    </AuthCard>
  );
}
