"use client";
// The signed-in person at the right of the header: name and role, Account, Sign out. A visitor
// whose session has ended (signed out elsewhere, expired) is sent to sign in again.
import type { UseQueryResult } from "@tanstack/react-query";
import { LogOut, UserRound } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { ROLE_NAME } from "@/app/account/_components/role-name";
import { signOut } from "@/app/account/_components/sign-in";
import type { RouterOutputs } from "@/trpc/react";
import { confirmLeave } from "./leave-guard";

export type Me = NonNullable<RouterOutputs["account"]["me"]>;

/** Pages anyone may open (the proxy lets them through without a session). */
export const isPublicPage = (path: string) => path === "/login" || path === "/setup" || path.startsWith("/invite/");

export function useSignInWhenSignedOut(me: UseQueryResult<Me | null, unknown>) {
  const path = usePathname();
  useEffect(() => {
    if (me.isSuccess && me.data === null && !isPublicPage(path)) {
      const back = `${window.location.pathname}${window.location.search}`;
      window.location.assign(back === "/" ? "/login" : `/login?next=${encodeURIComponent(back)}`);
    }
  }, [me.isSuccess, me.data, path]);
}

export function UserMenu({ me }: { me: UseQueryResult<Me | null, unknown> }) {
  const path = usePathname();
  const [leaving, setLeaving] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  if (!me.data) {
    // Not known (the server did not answer) or on a page for signing in: nothing to show.
    if (me.isError || (me.isSuccess && isPublicPage(path))) return null;
    if (me.isSuccess)
      return (
        <Link href="/login" className="ml-auto text-sm font-medium text-accent hover:underline">
          Sign in
        </Link>
      );
    return <div className="ml-auto h-8 w-40 animate-pulse rounded-md bg-sunken" aria-hidden="true" />;
  }

  const user = me.data;
  const onAccount = path === "/account";
  return (
    <div className="ml-auto flex items-center gap-2 text-sm">
      <div className="hidden text-right leading-tight sm:block">
        <div className="font-medium text-ink" data-testid="signed-in-name">
          {user.name}
        </div>
        <div className="text-xs text-ink-muted">{ROLE_NAME[user.role]}</div>
      </div>
      <Link
        href="/account"
        aria-current={onAccount ? "page" : undefined}
        className={`inline-flex items-center gap-1.5 rounded-md px-3 py-1.5 ${onAccount ? "bg-sunken font-medium text-ink" : "text-ink-soft hover:bg-sunken hover:text-ink"}`}
      >
        <UserRound className="size-4" aria-hidden="true" />
        Account
      </Link>
      <button
        type="button"
        disabled={leaving}
        onClick={() => {
          // A page with unsaved work (the flow editor) asks first.
          void confirmLeave().then((go) => {
            if (!go) return;
            setLeaving(true);
            setProblem(null);
            void signOut().then((ok) => {
              if (ok) return window.location.assign("/login");
              setLeaving(false);
              setProblem("Could not sign out: the server did not answer. Try again.");
            });
          });
        }}
        className="inline-flex items-center gap-1.5 rounded-md px-3 py-1.5 text-ink-soft hover:bg-sunken hover:text-ink disabled:opacity-50"
      >
        <LogOut className="size-4" aria-hidden="true" />
        {leaving ? "Signing out…" : "Sign out"}
      </button>
      {problem && (
        <p role="alert" className="absolute top-14 right-6 rounded-lg bg-rose-50 px-3 py-2 text-xs text-rose-800 shadow">
          {problem}
        </p>
      )}
    </div>
  );
}
