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
