// The request guard: which Host names are answered and which state-changing requests are refused.
import { describe, expect, it } from "vitest";
import { allowedHosts, checkRequest } from "./request-guard";

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
