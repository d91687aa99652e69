// Requests the web app refuses before any route runs (proxy.ts): foreign Host names (DNS
// rebinding), state-changing requests from other sites (CSRF), and oversized tRPC bodies/batches.
import http from "node:http";
import { describe, expect, inject, it } from "vitest";
import { flows } from "../db/store";
import { authHeaders, testStore } from "./support";

const url = () => inject("webUrl");

/** A request with a Host header of our choosing (fetch does not allow setting Host). */
function rawRequest(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  const target = new URL(path, url());
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

const createFlow = (name: string, origin?: string) =>
  fetch(`${url()}/api/trpc/flow.create`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: authHeaders().authorization!, ...(origin ? { origin } : {}) },
    body: JSON.stringify({ json: { name } }),
  });

describe("the web app's request guard", () => {
  it("does not answer under a foreign host name (DNS rebinding)", async () => {
    const page = await rawRequest("/flows", { headers: { host: "rebind.attacker.example" } });
    expect(page.status).toBe(421);
    expect(JSON.parse(page.body).error).toContain('does not answer to the name "rebind.attacker.example"');
    const api = await rawRequest("/api/trpc/flow.list", { headers: { host: "rebind.attacker.example" } });
    expect(api.status).toBe(421);
    expect((await rawRequest("/login", { headers: { host: new URL(url()).host } })).status).toBe(200);
  });

  it("refuses a mutation from another site or of unknown origin, and changes nothing", async () => {
    const before = (await flows.list(testStore())).length;
    const cross = await createFlow("CSRF from elsewhere", "https://attacker.example");
    expect(cross.status).toBe(403);
    expect((await cross.json()).error).toContain("https://attacker.example");
    expect((await createFlow("CSRF without origin")).status).toBe(403);
    const upload = await fetch(`${url()}/api/uploads`, { method: "POST", headers: { origin: "https://attacker.example", "x-file-name": "a.csv" }, body: "a\n1\n" });
    expect(upload.status).toBe(403);
    expect((await flows.list(testStore())).length).toBe(before);

    const same = await createFlow("Made by the app itself", new URL(url()).origin);
    expect(same.status).toBe(200);
    expect((await flows.list(testStore())).length).toBe(before + 1);
  });

  it("refuses a tRPC body over 8 MB and a batch of more than 20 calls", async () => {
    const huge = await fetch(`${url()}/api/trpc/flow.validate`, {
      method: "POST",
      headers: { "content-type": "application/json", ...authHeaders() },
      body: JSON.stringify({ json: { graph: { name: "x".repeat(9 * 1024 * 1024), nodes: [], edges: [] } } }),
    });
    expect(huge.status).toBe(413);

    const calls = (n: number) => Array.from({ length: n }, () => "flow.list").join(",");
    const input = (n: number) => encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { json: null }]))));
    expect((await fetch(`${url()}/api/trpc/${calls(20)}?batch=1&input=${input(20)}`, { headers: authHeaders() })).status).toBe(200);
    expect((await fetch(`${url()}/api/trpc/${calls(21)}?batch=1&input=${input(21)}`, { headers: authHeaders() })).status).toBe(400);
  });
});
