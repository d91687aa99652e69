"use client";
// The main navigation, with the current section marked; for admins also Users, Connections,
// Sources, Guardrails and the audit log; on the right, who is signed in (user-menu.tsx).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTRPC } from "@/trpc/react";
import { isPublicPage, UserMenu, useSignInWhenSignedOut } from "./user-menu";

const NAV = [
  { label: "Flows", href: "/flows" },
  { label: "Runs", href: "/runs" },
  { label: "Customers", href: "/customers" },
  { label: "Datasets", href: "/datasets" },
  { label: "Models", href: "/models" },
  { label: "Tracking plan", href: "/plan" },
];

const ADMIN_NAV = [
  { label: "Users", href: "/admin/users" },
  { label: "Connections", href: "/connections" },
  { label: "Sources", href: "/sources" },
  { label: "Guardrails", href: "/admin/guardrails" },
  { label: "Audit log", href: "/admin/audit" },
  { label: "Status", href: "/admin/status" },
];

function NavLink({ href, label, path }: { href: string; label: string; path: string }) {
  const current = path === href || path.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      aria-current={current ? "page" : undefined}
      className={`rounded-md px-3 py-1.5 whitespace-nowrap ${current ? "bg-sunken font-medium text-ink" : "text-ink-soft hover:bg-sunken hover:text-ink"}`}
    >
      {label}
    </Link>
  );
}

function Navigation() {
  const path = usePathname();
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions(undefined, { staleTime: 60_000, retry: 1 }));
  useSignInWhenSignedOut(me);
  // The pages for signing in show no sections: there is nothing to open before that.
  if (isPublicPage(path) && !me.data) return null;
  const admin = me.data?.role === "admin";
  return (
    <>
      <nav aria-label="Main" className="flex items-center gap-1 text-sm">
        {NAV.map((item) => (
          <NavLink key={item.href} {...item} path={path} />
        ))}
        {admin && (
          <>
            <span className="mx-2 h-5 w-px bg-line" aria-hidden="true" />
            {ADMIN_NAV.map((item) => (
              <NavLink key={item.href} {...item} path={path} />
            ))}
          </>
        )}
      </nav>
      <UserMenu me={me} />
    </>
  );
}

/** The header's navigation and user menu, inside the layout's <TRPCReactProvider>. */
export function MainNav() {
  return <Navigation />;
}
