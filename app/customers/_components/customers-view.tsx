"use client";
// The Customers page: a search box (id, e-mail, name or any other trait value) and the customers
// it finds, the most recently seen first. The search is in the address (?q=), so it can be shared.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { LoaderCircle, Search, Users } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { TABLE } from "@/app/account/_components/forms";
import { LocalTime } from "@/app/account/_components/local-time";
import { Problem } from "@/app/_components/ui";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC, type RouterOutputs } from "@/trpc/react";

/** The most customers one search shows (customer.search allows up to 200). */
export const CUSTOMERS_SHOWN = 100;

type Customer = RouterOutputs["customer"]["search"]["customers"][number];

/** What to call a customer in lists and headings: their name, else e-mail, else user id. */
export function customerLabel(c: { name: string | null; email: string | null; userId: string | null }): string {
  return c.name ?? c.email ?? c.userId ?? "Anonymous visitor";
}

function useDebounced<T>(value: T, ms: number): T {
  const [out, setOut] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setOut(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return out;
}

function CustomersTable({ customers }: { customers: Customer[] }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-line bg-surface shadow-xs">
      <table className={TABLE.table}>
        <thead className={TABLE.head}>
          <tr>
            <th className={TABLE.th}>Customer</th>
            <th className={TABLE.th}>E-mail</th>
            <th className={TABLE.th}>User id</th>
            <th className={TABLE.th}>Last seen</th>
            <th className={TABLE.th}>First seen</th>
          </tr>
        </thead>
        <tbody className={TABLE.body}>
          {customers.map((c) => (
            <tr key={c.id} className="hover:bg-sunken/40">
              <td className={`${TABLE.td} max-w-xs break-words`}>
                <Link href={`/customers/${encodeURIComponent(c.id)}`} className="font-medium text-accent hover:underline">
                  {customerLabel(c)}
                </Link>
              </td>
              <td className={`${TABLE.td} max-w-xs break-words`}>{c.email ?? <span className="text-ink-muted">—</span>}</td>
              <td className={`${TABLE.td} max-w-[14rem] font-mono text-xs break-words`}>{c.userId ?? <span className="font-sans text-ink-muted">not signed in yet</span>}</td>
              <td className={`${TABLE.td} whitespace-nowrap`}>
                <LocalTime ms={c.lastSeen} />
              </td>
              <td className={`${TABLE.td} whitespace-nowrap`}>
                <LocalTime ms={c.firstSeen} dateOnly />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CustomersView({ initialQuery }: { initialQuery: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [text, setText] = useState(initialQuery);
  const q = useDebounced(text.trim(), 300);
  const search = useQuery(trpc.customer.search.queryOptions({ q, limit: CUSTOMERS_SHOWN }, { placeholderData: keepPreviousData }));

  // Keep the address in step with the search, without a new history entry per keystroke.
  useEffect(() => {
    const next = q ? `/customers?q=${encodeURIComponent(q)}` : "/customers";
    if (`${window.location.pathname}${window.location.search}` !== next) router.replace(next, { scroll: false });
  }, [q, router]);

  const data = search.data;
  const customers = data?.customers ?? [];
  const searching = search.isFetching || q !== text.trim();

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-8">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-ink">Customers</h1>
        <p className="mt-1 max-w-2xl text-sm text-ink-muted">
          Everyone your websites, apps and backends have sent events about. When events show that a visitor and a signed-in customer are the same person, they are
          joined into one customer. Open a customer to see what they did and which flows they were in.
        </p>
      </div>

      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void search.refetch();
        }}
        className="flex max-w-2xl items-center gap-2"
      >
        <label htmlFor="customer-search" className="sr-only">
          Search customers
        </label>
        <div className="relative flex-1">
          <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-ink-muted" aria-hidden="true" />
          <input
            id="customer-search"
            type="search"
            value={text}
            maxLength={200}
            onChange={(e) => setText(e.target.value)}
            placeholder="E-mail, name, user id or any other detail"
            className="h-10 w-full rounded-lg border border-line bg-surface pr-3 pl-9 text-sm text-ink outline-none placeholder:text-ink-muted/70 focus:border-accent focus:ring-2 focus:ring-accent/20"
          />
        </div>
        <button type="submit" className={BUTTON.secondary}>
          {searching ? <LoaderCircle className="size-4 animate-spin" aria-hidden="true" /> : <Search className="size-4" aria-hidden="true" />}
          Search
        </button>
      </form>

      {search.isPending ? (
        <div className="flex items-center gap-2 rounded-xl border border-line bg-surface px-5 py-10 text-sm text-ink-muted" role="status">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          Loading customers…
        </div>
      ) : search.isError && !data ? (
        <div role="alert" className="rounded-xl border border-line bg-surface px-5 py-5">
          <p className="text-sm font-medium text-ink">Could not load the customers</p>
          <Problem>{errorText(search.error)}</Problem>
          <button type="button" onClick={() => void search.refetch()} className={`${BUTTON.secondary} mt-4`}>
            Try again
          </button>
        </div>
      ) : data && data.total === 0 ? (
        <div className="flex flex-col items-center rounded-xl border border-dashed border-line bg-surface px-8 py-14 text-center">
          <Users className="size-8 text-ink-muted" aria-hidden="true" />
          <h2 className="mt-3 text-base font-semibold text-ink">No customers yet</h2>
          <p className="mt-1 max-w-md text-sm text-ink-soft">
            Customers appear here as soon as a source sends events about them (page views, actions, identify calls with their details). An admin sets up sources
            under Sources.
          </p>
        </div>
      ) : customers.length === 0 ? (
        <p className="rounded-xl border border-dashed border-line bg-surface px-5 py-8 text-center text-sm text-ink-muted">
          No customer matches “{q}”. Try part of an e-mail address, a name, or an id.
        </p>
      ) : (
        <div className="space-y-2">
          {search.isError && (
            <div role="alert">
              <Problem>Could not search: {errorText(search.error)}</Problem>
            </div>
          )}
          <p className="text-xs text-ink-muted" aria-live="polite">
            {q
              ? `${customers.length === CUSTOMERS_SHOWN ? `The first ${customers.length}` : customers.length} ${customers.length === 1 ? "customer matches" : "customers match"} “${q}”, the most recently seen first.`
              : customers.length < data!.total
                ? `The ${customers.length} most recently seen of ${data!.total.toLocaleString("en-US")} customers.`
                : `${customers.length} ${customers.length === 1 ? "customer" : "customers"}, the most recently seen first.`}
          </p>
          <CustomersTable customers={customers} />
        </div>
      )}
    </main>
  );
}
