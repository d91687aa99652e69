// The tRPC base: context, error mapping, and the one procedure every router builds on.
//
// No `import "server-only"` here or in the routers: the router tests import them under plain
// Node. The server-only pieces (the store handle, the Temporal client) come in through the
// context, which the route handler and the server caller build.
import { TRPCError, initTRPC, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import type { Store } from "../../db/store";
import { isAppError } from "../../lib/errors";
import type { NodeRegistry } from "../../nodes/node-registry";
import { loadRegistry } from "../../nodes/registry";
import { isNodeError } from "../../nodes/sdk";
import { GraphInvalidError } from "../../workflows/graph/compile";
import type { GraphProblem } from "../../workflows/graph/validate";
import type { Role } from "../../lib/roles";
import { authenticate, requireRole, type Principal } from "../access";
import type { TemporalAccess } from "../temporal-client";

export interface Context {
  store: Store;
  registry: NodeRegistry;
  /** Temporal on demand: routers that never start or cancel a run never dial it. */
  temporal: TemporalAccess;
  headers: Headers;
  /** Who is asking (session cookie or API key), looked up once per request; null when anonymous. */
  principal: () => Promise<Principal | null>;
  /** Headers of the HTTP response (a new session cookie after a password change); absent in server-side calls. */
  resHeaders?: Headers;
}

export async function createTRPCContext(opts: {
  store: Store;
  temporal: TemporalAccess;
  headers?: Headers;
  registry?: NodeRegistry;
  /** Who is asking, when the caller already knows (server-side calls, tests); else from the headers. */
  principal?: Principal | null;
  resHeaders?: Headers;
}): Promise<Context> {
  const headers = opts.headers ?? new Headers();
  let who: Promise<Principal | null> | undefined = opts.principal !== undefined ? Promise.resolve(opts.principal) : undefined;
  return {
    store: opts.store,
    registry: opts.registry ?? (await loadRegistry()),
    temporal: opts.temporal,
    headers,
    principal: () => (who ??= authenticate(opts.store, headers)),
    resHeaders: opts.resHeaders,
  };
}

/** Who may call a procedure: anyone (signing in, accepting an invite) or a role and those above it. */
export type Access = "public" | Role;

// Bundling can give a class two identities (one per chunk); the error name is the stable part.
const is = <T extends abstract new (...args: never[]) => unknown>(err: unknown, cls: T, name: string): err is InstanceType<T> =>
  err instanceof cls || (err instanceof Error && err.name === name);

function grpcCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof e?.code === "number" ? e.code : e?.cause?.code;
  return typeof code === "number" ? code : undefined;
}

/**
 * Errors -> tRPC codes, in this one place. The server's own errors carry their code (lib/errors.ts);
 * node errors say whether a retry could help. Undefined: leave the error as it is (500 unless
 * already a TRPCError).
 */
function mapError(err: unknown): TRPC_ERROR_CODE_KEY | undefined {
  if (isAppError(err)) return err.code;
  if (isNodeError(err)) return err.code === "NOT_FOUND" ? "NOT_FOUND" : err.retryable ? "SERVICE_UNAVAILABLE" : "BAD_REQUEST";
  if (err instanceof Error && err.name === "WorkflowNotFoundError") return "NOT_FOUND";
  if (err instanceof Error && err.name === "ServiceError" && grpcCode(err) === 14) return "SERVICE_UNAVAILABLE";
  return undefined;
}

const t = initTRPC.context<Context>().meta<{ access: Access }>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // Stack traces stay on the server, in development too.
    const { stack: _stack, ...data } = shape.data;
    const cause = error.cause;
    const problems: GraphProblem[] | null = is(cause, GraphInvalidError, "GraphInvalidError") ? cause.problems : null;
    return {
      ...shape,
      data: {
        ...data,
        /** Every problem of an invalid graph, each naming its node or edge and field. */
        problems,
        /** Input that failed the procedure's zod schema. */
        zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
        nodeError: isNodeError(cause) ? { code: cause.code, where: cause.where ?? null, retryable: cause.retryable } : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Turns domain errors into their tRPC codes, keeping the original as `cause` for the formatter. */
const errorMapping = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") {
    const original = result.error.cause;
    const code = mapError(original);
    if (code) throw new TRPCError({ code, message: result.error.message, cause: original });
  }
  return result;
});

const base = t.procedure.use(errorMapping);

/**
 * The one role check. Every procedure is built from one of these four, and its access is also in
 * its meta, which the role matrix test (server/api/access.test.ts) reads.
 */
const withRole = (role: Role) =>
  base.meta({ access: role }).use(async ({ ctx, path, next }) => {
    const user = requireRole(await ctx.principal(), role, `use ${path}`);
    return next({ ctx: { user } });
  });

/** Open to anyone: the caller may be anonymous (`ctx.user` null). */
export const publicProcedure = base.meta({ access: "public" }).use(async ({ ctx, next }) => next({ ctx: { user: await ctx.principal().catch(() => null) } }));
export const viewerProcedure = withRole("viewer");
export const editorProcedure = withRole("editor");
export const adminProcedure = withRole("admin");
