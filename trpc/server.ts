// tRPC for server components: `await api.run.list()` calls the procedures in-process (same
// validation, errors and auth as over HTTP); `trpc` + `HydrateClient` prefetch for client components.
import "server-only";
import { HydrationBoundary, dehydrate } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache, createElement, type ReactNode } from "react";
import { appRouter, createCaller } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { getStore } from "@/server/store";
import { temporalAccess } from "@/server/temporal-client";
import { createQueryClient } from "./query-client";

/** One context per request, however many procedures the render calls. */
const createContext = cache(async () => {
  const h = new Headers(await headers());
  h.set("x-trpc-source", "rsc");
  return createTRPCContext({ headers: h, store: await getStore(), temporal: temporalAccess });
});

export const getQueryClient = cache(createQueryClient);

export const api = createCaller(createContext);

export const trpc = createTRPCOptionsProxy({ router: appRouter, ctx: createContext, queryClient: getQueryClient });

/** Hands what the server prefetched (`getQueryClient().prefetchQuery(trpc.x.queryOptions())`) to client components. */
export function HydrateClient({ children }: { children: ReactNode }) {
  return createElement(HydrationBoundary, { state: dehydrate(getQueryClient()) }, children);
}
