// Runs before every route: requests under a foreign Host name (DNS rebinding) and state-changing
// requests from other sites (CSRF) are refused here, once for the pages, tRPC and the upload route.
// Then pages (not API routes, which answer 401 themselves) need a session cookie, or go to /login.
import { NextResponse, type NextRequest } from "next/server";
import { allowedHosts, checkRequest, signInRedirect } from "./lib/request-guard";

const allowed = allowedHosts();

/**
 * Unsubscribe links (app/u/[token]): public, and their one-click POST (RFC 8058) comes from a mail
 * provider's servers without an Origin, so only the Host check applies; the signed token is the authority.
 */
const UNSUBSCRIBE = /^\/u\/[^/]+\/?$/;

export function proxy(request: NextRequest) {
  const refusal = checkRequest(request, allowed);
  const unsubscribe = UNSUBSCRIBE.test(request.nextUrl.pathname);
  if (refusal && !(unsubscribe && refusal.status === 403)) return NextResponse.json({ error: refusal.message }, { status: refusal.status });
  if (unsubscribe) return NextResponse.next();
  const signIn = signInRedirect(request);
  if (signIn) return NextResponse.redirect(new URL(signIn, request.url), 307);
  return NextResponse.next();
}

export const config = {
  // Everything but the build's static files (they change nothing and hold no data).
  matcher: ["/((?!_next/static|_next/image).*)"],
};
