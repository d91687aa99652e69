// Which requests the web app answers at all, checked before any route runs (proxy.ts):
// - DNS rebinding: a page on evil.example whose name is pointed at 127.0.0.1 would reach the app
//   with `Host: evil.example`. Only the names the app is served under are answered: localhost and
//   loopback addresses, and the hosts of LOOPWRIGHT_PUBLIC_URL / LOOPWRIGHT_ALLOWED_HOSTS.
// - CSRF: a state-changing request (anything but GET, HEAD, OPTIONS) must say it comes from the
//   app itself: an Origin whose host is the request's Host, or `Sec-Fetch-Site: same-origin`.
//   Browsers send one of them on every such request; other clients (the CLI) send Origin.
// Pure functions over the method and headers, so they are tested without a server.

export interface Refusal {
  status: 403 | 421;
  message: string;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** `name` or `name:port` -> lower-case name (IPv6 in brackets); null when it is not a host. */
export function hostName(host: string | null | undefined): string | null {
  if (!host) return null;
  try {
    return new URL(`http://${host.trim()}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** The host names, besides loopback, that the operator says the app is reached under. */
export function allowedHosts(env: Readonly<Record<string, string | undefined>> = process.env): Set<string> {
  const names = new Set<string>();
  if (env.LOOPWRIGHT_PUBLIC_URL) {
    try {
      names.add(new URL(env.LOOPWRIGHT_PUBLIC_URL).hostname.toLowerCase());
    } catch {
      /* a bad URL adds nothing; the start script reports it */
    }
  }
  for (const h of (env.LOOPWRIGHT_ALLOWED_HOSTS ?? "").split(",")) {
    const name = hostName(h);
    if (name) names.add(name);
  }
  return names;
}

export function checkRequest(req: { method: string; headers: Headers }, allowed: ReadonlySet<string>): Refusal | null {
  const host = req.headers.get("host");
  const name = hostName(host);
  if (!name || !(LOOPBACK.has(name) || allowed.has(name))) {
    return {
      status: 421,
      message: `This Loopwright does not answer to the name "${host ?? ""}". An admin can add it with LOOPWRIGHT_PUBLIC_URL or LOOPWRIGHT_ALLOWED_HOSTS.`,
    };
  }
  if (SAFE_METHODS.has(req.method.toUpperCase())) return null;
  const site = req.headers.get("sec-fetch-site");
  if (site === "same-origin") return null;
  const origin = req.headers.get("origin");
  if (origin && origin !== "null") {
    try {
      if (new URL(origin).host.toLowerCase() === host!.trim().toLowerCase()) return null;
    } catch {
      /* not a URL: refused below */
    }
  }
  return {
    status: 403,
    message: origin
      ? `Refused: a request from ${origin} may not change anything here (cross-site request).`
      : "Refused: a request that changes something must come from this app (send an Origin header naming it).",
  };
}

// ---- sign-in for pages ----
// A page asked for without a session cookie is sent to /login, which comes back to it afterwards.
// Only the cookie's presence is checked here (no database in front of every request); the page's
// own calls check the session, and the navigation sends a visitor with a stale cookie to /login.

/** better-auth's session cookie (server/auth.ts: cookie prefix "loopwright"), plain and over https. */
export const SESSION_COOKIES = ["loopwright.session_token", "__Secure-loopwright.session_token"] as const;

/** Pages anyone may open: signing in, the first-run setup link, invite links. */
const PUBLIC_PAGES = [/^\/login\/?$/, /^\/setup\/?$/, /^\/invite(\/.*)?$/];
/** Not pages: API routes answer 401 themselves; Next's own files; /.well-known. */
const NOT_PAGES = [/^\/api(\/|$)/, /^\/_next(\/|$)/, /^\/__next/, /^\/\.well-known(\/|$)/];
/** Files in public/ and the like (favicon.ico, icon.svg, robots.txt, ...). */
const STATIC_FILE = /\.(ico|png|svg|jpe?g|gif|webp|avif|txt|xml|json|webmanifest|woff2?|ttf|css|js|map)$/i;

export function hasSessionCookie(headers: Headers): boolean {
  const cookie = headers.get("cookie");
  if (!cookie) return false;
  return cookie.split(";").some((part) => {
    const eq = part.indexOf("=");
    if (eq < 0) return false;
    const name = part.slice(0, eq).trim();
    return (SESSION_COOKIES as readonly string[]).includes(name) && part.slice(eq + 1).trim() !== "";
  });
}

/**
 * Where to go after signing in: `next` when it is a path on this site ("/flows?x=1"), else "/".
 * Refused: other sites ("https://..."), protocol-relative ("//evil.example", "/\\evil.example"),
 * control characters, and the sign-in page itself.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if ([...next].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return "/";
  try {
    const url = new URL(next, "http://loopwright.invalid");
    if (url.origin !== "http://loopwright.invalid" || url.pathname === "/login") return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}

/**
 * The sign-in page to send this request to (`/login?next=<path and query>`), or null to let it
 * through: only GET and HEAD for pages, without a session cookie, are sent.
 */
export function signInRedirect(req: { method: string; url: string; headers: Headers }): string | null {
  const method = req.method.toUpperCase();
  if (method !== "GET" && method !== "HEAD") return null;
  let url: URL;
  try {
    url = new URL(req.url, "http://loopwright.invalid");
  } catch {
    return null;
  }
  const path = url.pathname;
  if (NOT_PAGES.some((re) => re.test(path)) || PUBLIC_PAGES.some((re) => re.test(path)) || STATIC_FILE.test(path)) return null;
  if (hasSessionCookie(req.headers)) return null;
  const back = `${path}${url.search}`;
  return back === "/" ? "/login" : `/login?next=${encodeURIComponent(back)}`;
}
