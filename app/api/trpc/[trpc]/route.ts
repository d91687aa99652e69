// tRPC over HTTP (fetch adapter): /api/trpc/<router>.<procedure>, batched.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { BodyTooLargeError, withBodyLimit } from "@/lib/body-limit";
import { appRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { getStore } from "@/server/store";
import { temporalAccess } from "@/server/temporal-client";

/** Graphs are the largest inputs (5,000 nodes at most); files go through /api/uploads instead. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Calls in one batched request; the browser's batch link sends at most as many (trpc/react.tsx). */
const MAX_BATCH = 20;

async function handler(incoming: Request) {
  let req: Request;
  try {
    req = await withBodyLimit(incoming, MAX_BODY_BYTES);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    return Response.json({ error: { json: { message: `The request is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`, code: -32600, data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } } } }, { status: 413 });
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    maxBatchSize: MAX_BATCH,
    createContext: async ({ resHeaders }) => createTRPCContext({ headers: req.headers, resHeaders, store: await getStore(), temporal: temporalAccess }),
    onError({ path, error }) {
      // The client gets the message without a stack; the server log keeps the whole story.
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path ?? "<no path>"} failed:`, error.cause ?? error);
      else if (process.env.NODE_ENV === "development") console.warn(`[trpc] ${path ?? "<no path>"}: ${error.code} ${error.message}`);
    },
  });
}

export { handler as GET, handler as POST };
