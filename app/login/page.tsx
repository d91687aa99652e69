// Sign in with e-mail and password; afterwards back to the page asked for (?next=), or home.
import type { Metadata } from "next";
import { AuthCard } from "@/app/account/_components/forms";
import { LoginForm } from "@/app/account/_components/login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { next } = await searchParams;
  return (
    <AuthCard
      title="Sign in to Loopwright"
      intro="No account yet, or forgot your password? Ask an admin of this Loopwright."
    >
      <LoginForm next={typeof next === "string" ? next : null} />
    </AuthCard>
  );
}
