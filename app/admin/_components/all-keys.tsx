"use client";
// Everyone's API keys, for admins: who has which, when it was last used; revoke any.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { FormError, Section } from "@/app/account/_components/forms";
import { KeyTable } from "@/app/account/_components/key-table";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";

export function AllKeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.users.keys.queryOptions());
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.users.keys.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.account.keys.queryKey() });
  };
  return (
    <Section title="All API keys" intro="Keys people created for the command line and scripts. Each acts as its owner, with its own role (never more than the owner's).">
      {keys.isPending ? (
        <p className="text-sm text-ink-muted" role="status">
          Loading keys…
        </p>
      ) : keys.isError ? (
        <FormError>Could not load the keys: {errorText(keys.error)}</FormError>
      ) : (
        <KeyTable keys={keys.data} showOwner admin onChanged={refresh} />
      )}
    </Section>
  );
}
