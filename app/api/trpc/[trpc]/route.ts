// tRPC over HTTP (fetch adapter): /api/trpc/<router>.<procedure>, batched.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { getStore } from "@/server/store";
import { temporalAccess } from "@/server/temporal-client";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => createTRPCContext({ headers: req.headers, store: await getStore(), temporal: temporalAccess }),
    onError({ path, error }) {
      // The client gets the message without a stack; the server log keeps the whole story.
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path ?? "<no path>"} failed:`, error.cause ?? error);
      else if (process.env.NODE_ENV === "development") console.warn(`[trpc] ${path ?? "<no path>"}: ${error.code} ${error.message}`);
    },
  });
}

export { handler as GET, handler as POST };
