// The role matrix over HTTP, against the running app: every route handler (server/api/access.test.ts
// lists them and fails when one is added without an entry) tried as anonymous, viewer, editor and
// admin (by API key), and pages sending anonymous visitors to sign in.
import { describe, expect, inject, it } from "vitest";
import { unsubscribeKey, unsubscribeToken } from "../lib/unsubscribe-links";
import { PROCEDURES, ROUTES } from "../server/api/access-matrix";
import { apiKey } from "./support";

const url = (p: string) => `${inject("webUrl")}${p}`;
type Who = "anonymous" | "viewer" | "editor" | "admin";
const WHO: Who[] = ["anonymous", "viewer", "editor", "admin"];
const RANK = { public: 0, anonymous: 0, viewer: 1, editor: 2, admin: 3 } as const;

function headers(who: Who, extra: Record<string, string> = {}): Record<string, string> {
  return { origin: inject("webUrl"), ...(who === "anonymous" ? {} : { authorization: `Bearer ${apiKey(who)}` }), ...extra };
}

/** One request per route and method that the route answers when allowed. */
const REQUESTS: Record<string, { method: string; path: string; body?: string; extra?: Record<string, string>; okStatus: number }[]> = {
  "/api/trpc/[trpc]": [
    { method: "GET", path: "/api/trpc/flow.list", okStatus: 200 },
    { method: "POST", path: "/api/trpc/flow.create", body: JSON.stringify({ json: { name: "Access matrix" } }), extra: { "content-type": "application/json" }, okStatus: 200 },
    { method: "GET", path: "/api/trpc/users.list", okStatus: 200 },
  ],
  "/api/auth/[...all]": [{ method: "GET", path: "/api/auth/get-session", okStatus: 200 }],
  "/api/uploads": [
    { method: "GET", path: "/api/uploads", okStatus: 200 },
    { method: "POST", path: "/api/uploads", body: "a,b\n1,2\n", extra: { "x-file-name": "matrix.csv", "content-type": "text/csv" }, okStatus: 201 },
  ],
  "/api/audit.csv": [{ method: "GET", path: "/api/audit.csv", okStatus: 200 }],
  // The role is checked before the dataset is looked up: editors are told this one does not exist
  // (tests/web-preview.test.ts downloads a real one).
  "/api/datasets/[id]/download": [{ method: "GET", path: "/api/datasets/ds_00000000000000000000000000000000/download?format=csv", okStatus: 404 }],
  "/u/[token]": [
    { method: "GET", path: `/u/${unsubscribeLink()}`, okStatus: 200 },
    { method: "POST", path: `/u/${unsubscribeLink()}`, body: "List-Unsubscribe=One-Click", extra: { "content-type": "application/x-www-form-urlencoded" }, okStatus: 200 },
  ],
};

/** A valid unsubscribe token (signed with the web app's key, in the test data directory) for a customer of its own. */
function unsubscribeLink(): string {
  const dir = inject("dataDir");
  return unsubscribeToken(unsubscribeKey({ LOOPWRIGHT_DATA_DIR: dir }, dir), "access-matrix-customer");
}

/** The role a tRPC path needs (from the procedure matrix), or the route's own entry. */
function needed(route: string, method: string, p: string): keyof typeof RANK {
  const entry = ROUTES[route]![method]!;
  if (entry !== "per procedure") return entry;
  return PROCEDURES[p.replace("/api/trpc/", "")]!;
}

describe("routes by role, over HTTP", () => {
  it("covers every route of the matrix", () => {
    expect(Object.keys(REQUESTS).sort()).toEqual(Object.keys(ROUTES).sort());
  });

  for (const [route, requests] of Object.entries(REQUESTS)) {
    for (const r of requests) {
      it(`${r.method} ${r.path}`, async () => {
        for (const who of WHO) {
          const res = await fetch(url(r.path), { method: r.method, headers: headers(who, r.extra), body: r.body });
          const allowed = RANK[who] >= RANK[needed(route, r.method, r.path)];
          const text = await res.text();
          if (allowed) expect(res.status, `${who}: ${text.slice(0, 300)}`).toBe(r.okStatus);
          else expect(res.status, `${who}: ${text.slice(0, 300)}`).toBe(who === "anonymous" ? 401 : 403);
          if (!allowed) expect(text).toMatch(who === "anonymous" ? /Sign in to/ : /needs the (viewer|editor|admin) role/);
        }
      });
    }
  }

  it("sends an anonymous visitor of a page to sign in, and back afterwards", async () => {
    const res = await fetch(url("/flows?tab=mine"), { redirect: "manual" });
    expect(res.status).toBe(307);
    expect(new URL(res.headers.get("location")!, url("/")).pathname + new URL(res.headers.get("location")!, url("/")).search).toBe(`/login?next=${encodeURIComponent("/flows?tab=mine")}`);
    expect((await fetch(url("/login"))).status).toBe(200);
  });

  it("exports the audit log as CSV with formula-like cells neutralised", async () => {
    const forged = `+2-5-${Date.now()}@example.com`; // a spreadsheet would compute this as a formula
    const signIn = await fetch(url("/api/auth/sign-in/email"), {
      method: "POST",
      headers: { "content-type": "application/json", origin: inject("webUrl") },
      body: JSON.stringify({ email: forged, password: "not the password" }),
    });
    expect(signIn.status).toBe(401);
    const res = await fetch(url(`/api/audit.csv?action=auth.sign-in&outcome=failed`), { headers: headers("admin") });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const csv = await res.text();
    expect(csv).toContain(`,'${forged},auth.sign-in,`);
    expect(csv).not.toContain(`,${forged},`);
  });

  it("refuses a revoked or unknown key with the reason, not as anonymous", async () => {
    const res = await fetch(url("/api/trpc/flow.list"), { headers: { authorization: "Bearer lw_not_a_key" } });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("This API key is not known here");
  });
});
