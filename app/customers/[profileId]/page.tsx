// One customer: who they are (traits, ids, consent, time zone), what they did (their events) and
// which flows they were in. Editors and admins only.
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { api, getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { CustomerView } from "../_components/customer-view";
import { CustomersNotAllowed } from "../_components/not-allowed";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Customer" };

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export default async function CustomerPage({ params }: { params: Promise<{ profileId: string }> }) {
  const { profileId } = await params;
  const id = safeDecode(profileId);
  const me = await api.account.me();
  if (!me) redirect(`/login?next=${encodeURIComponent(`/customers/${encodeURIComponent(id)}`)}`);
  if (me.role === "viewer") return <CustomersNotAllowed email={me.email} role={me.role} />;
  // Prefetched so the page arrives filled in; an unknown customer is shown by the client as an error.
  await getQueryClient().prefetchQuery(trpc.customer.get.queryOptions({ id }));
  return (
    <HydrateClient>
      <CustomerView id={id} />
    </HydrateClient>
  );
}
