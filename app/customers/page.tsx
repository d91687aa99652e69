// Customers: everyone the sources' events (and the flows' trait updates) made a profile for,
// searchable by id, e-mail or any trait value. Editors and admins only: these are personal details.
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { api, getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { CUSTOMERS_SHOWN, CustomersView } from "./_components/customers-view";
import { CustomersNotAllowed } from "./_components/not-allowed";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Customers" };

export default async function CustomersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).q;
  const q = ((Array.isArray(raw) ? raw[0] : raw) ?? "").slice(0, 200);
  const me = await api.account.me();
  if (!me) redirect(`/login?next=${encodeURIComponent(q ? `/customers?q=${encodeURIComponent(q)}` : "/customers")}`);
  if (me.role === "viewer") return <CustomersNotAllowed email={me.email} role={me.role} />;
  // Prefetched so the list arrives with the page; a failure is left to the client, which shows it.
  await getQueryClient().prefetchQuery(trpc.customer.search.queryOptions({ q: q.trim(), limit: CUSTOMERS_SHOWN }));
  return (
    <HydrateClient>
      <CustomersView initialQuery={q} />
    </HydrateClient>
  );
}
