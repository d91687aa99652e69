// The request guard: which Host names are answered and which state-changing requests are refused.
import { describe, expect, it } from "vitest";
import { allowedHosts, checkRequest, hasSessionCookie, safeNext, signInRedirect } from "./request-guard";

const req = (method: string, headers: Record<string, string>) => ({ method, headers: new Headers(headers) });
const none = new Set<string>();

describe("the request guard", () => {
  it("answers loopback names on any port, and refuses other names (DNS rebinding)", () => {
    for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "LOCALHOST"]) expect(checkRequest(req("GET", { host }), none)).toBeNull();
    const refused = checkRequest(req("GET", { host: "evil.example:3000" }), none);
    expect(refused?.status).toBe(421);
    expect(refused?.message).toContain('"evil.example:3000"');
    expect(checkRequest(req("GET", {}), none)?.status).toBe(421);
  });

  it("answers the names the operator configured", () => {
    const allowed = allowedHosts({ LOOPWRIGHT_PUBLIC_URL: "https://Loopwright.Example.com/app", LOOPWRIGHT_ALLOWED_HOSTS: "lw.internal, 10.0.0.5:8080" });
    expect([...allowed].sort()).toEqual(["10.0.0.5", "loopwright.example.com", "lw.internal"]);
    expect(checkRequest(req("GET", { host: "loopwright.example.com" }), allowed)).toBeNull();
    expect(checkRequest(req("GET", { host: "lw.internal:3000" }), allowed)).toBeNull();
    expect(checkRequest(req("GET", { host: "other.example.com" }), allowed)?.status).toBe(421);
  });

  it("lets reads through from anywhere on an answered name", () => {
    expect(checkRequest(req("GET", { host: "localhost:3000", origin: "https://evil.example" }), none)).toBeNull();
    expect(checkRequest(req("HEAD", { host: "localhost:3000" }), none)).toBeNull();
  });

  it("refuses a state-changing request from another site or of unknown origin (CSRF)", () => {
    const cross = checkRequest(req("POST", { host: "localhost:3000", origin: "https://evil.example" }), none);
    expect(cross).toEqual({ status: 403, message: "Refused: a request from https://evil.example may not change anything here (cross-site request)." });
    expect(checkRequest(req("POST", { host: "localhost:3000", origin: "http://localhost:4000" }), none)?.status).toBe(403);
    expect(checkRequest(req("POST", { host: "localhost:3000", origin: "null" }), none)?.status).toBe(403);
    expect(checkRequest(req("POST", { host: "localhost:3000", "sec-fetch-site": "cross-site" }), none)?.status).toBe(403);
    expect(checkRequest(req("DELETE", { host: "localhost:3000" }), none)?.message).toContain("send an Origin header");
  });

  it("accepts a state-changing request from the app itself", () => {
    expect(checkRequest(req("POST", { host: "localhost:3000", origin: "http://localhost:3000" }), none)).toBeNull();
    expect(checkRequest(req("POST", { host: "localhost:3000", "sec-fetch-site": "same-origin" }), none)).toBeNull();
  });
});

describe("signing in for pages", () => {
  const page = (url: string, headers: Record<string, string> = {}, method = "GET") => signInRedirect({ method, url: `http://localhost:3000${url}`, headers: new Headers(headers) });
  const signedIn = { cookie: "theme=dark; loopwright.session_token=abc.def" };

  it("sends a page asked for without a session cookie to /login, with the way back", () => {
    expect(page("/flows")).toBe("/login?next=%2Fflows");
    expect(page("/runs/r1?tab=log")).toBe("/login?next=%2Fruns%2Fr1%3Ftab%3Dlog");
    expect(page("/")).toBe("/login");
    expect(page("/admin/audit", {}, "HEAD")).toBe("/login?next=%2Fadmin%2Faudit");
    expect(page("/flows", { cookie: "theme=dark" })).toBe("/login?next=%2Fflows");
    expect(page("/flows", { cookie: "loopwright.session_token=" })).toBe("/login?next=%2Fflows");
  });

  it("lets pages through with the session cookie, plain or over https", () => {
    expect(page("/flows", signedIn)).toBeNull();
    expect(page("/", { cookie: "__Secure-loopwright.session_token=abc" })).toBeNull();
    expect(hasSessionCookie(new Headers({ cookie: "loopwright.session_token_x=1; other=2" }))).toBe(false);
  });

  it("leaves API routes, Next's files, static files and the sign-in pages alone", () => {
    for (const url of ["/api/trpc/flow.list", "/api/auth/sign-in/email", "/api/audit.csv?outcome=ok", "/api", "/_next/data/x.json", "/__nextjs_original-stack-frames", "/favicon.ico", "/icon.svg", "/apple-touch-icon.png", "/robots.txt", "/login", "/login?next=%2Fflows", "/setup?token=abc", "/invite/abc123"]) {
      expect(page(url), url).toBeNull();
    }
    expect(page("/logins")).toBe("/login?next=%2Flogins");
    expect(page("/apis")).toBe("/login?next=%2Fapis");
  });

  it("never redirects a request that changes something (API routes answer those)", () => {
    expect(page("/flows", {}, "POST")).toBeNull();
  });
});

describe("safeNext", () => {
  it("keeps paths on this site, with their query", () => {
    expect(safeNext("/flows")).toBe("/flows");
    expect(safeNext("/runs/r1?tab=log#x")).toBe("/runs/r1?tab=log#x");
  });

  it("goes home for anything else", () => {
    for (const next of [null, undefined, "", "flows", "https://evil.example/", "//evil.example/x", "/\\evil.example", "/\tevil", "javascript:alert(1)", "/login", "/login?next=/x", "/\u0000x"]) {
      expect(safeNext(next), String(next)).toBe("/");
    }
  });
});
