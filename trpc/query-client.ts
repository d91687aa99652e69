// One QueryClient recipe for the browser and for server components (prefetch + hydrate).
import { QueryClient, defaultShouldDehydrateQuery } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import superjson from "superjson";

/** 4xx errors (bad input, conflict, not found) will not go away by asking again. */
function retry(failureCount: number, error: unknown): boolean {
  if (error instanceof TRPCClientError) {
    const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
    if (status !== undefined && status < 500) return false;
  }
  return failureCount < 2;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Data fetched during the server render is fresh on arrival; do not refetch it at once.
        staleTime: 30 * 1000,
        retry,
      },
      dehydrate: {
        serializeData: superjson.serialize,
        // Stream queries still pending on the server to the client.
        shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === "pending",
      },
      hydrate: {
        deserializeData: superjson.deserialize,
      },
    },
  });
}
