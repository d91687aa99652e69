// The role check for HTTP routes outside tRPC (uploads, the audit CSV): the same authenticate and
// requireRole as every tRPC procedure, and errors as JSON with their status.
import { NextResponse } from "next/server";
import { isAppError, TooManyRequests } from "../lib/errors";
import type { Role } from "../lib/roles";
import { authenticate, requireRole, type Principal } from "./access";
import { getStore } from "./store";

export async function routeUser(req: Request, role: Role, what: string): Promise<Principal> {
  return requireRole(await authenticate(await getStore(), req.headers), role, what);
}

/** An AppError as its status and message; anything else is logged and answered 500 without details. */
export function errorResponse(err: unknown, where: string): NextResponse {
  if (isAppError(err)) {
    const headers = err instanceof TooManyRequests ? { "Retry-After": String(err.retryAfterSeconds) } : undefined;
    return NextResponse.json({ error: err.message }, { status: err.httpStatus, headers });
  }
  console.error(`[${where}] failed:`, err);
  return NextResponse.json({ error: "A server error stopped this; the server log has the details" }, { status: 500 });
}
