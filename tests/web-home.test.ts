import { describe, expect, inject, it } from "vitest";
import { authHeaders, sessionCookie } from "./support";

// The home page of the production build (started by the global setup), against the test Temporal
// server and worker.
describe("web app home page", () => {
  const url = () => inject("webUrl");

  it("says what is running (to an admin): Temporal reachable, a worker polling, the data directory, the node catalog", async () => {
    const res = await fetch(`${url()}/`, { headers: { cookie: await sessionCookie("admin") } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("Reachable");
    expect(html).not.toContain("Unreachable");
    expect(html).toContain(inject("temporalAddress"));
    expect(html).toMatch(/[1-9]\d*(<!-- -->)? polling/); // React separates text parts with a comment
    expect(html).toContain(inject("dataDir"));
    for (const label of ["CSV file", "Remove duplicates", "Train classifier", "Score with model", "Model metrics", "Write to table"]) {
      expect(html).toContain(label);
    }
  });

  it("shows a viewer whether things run, but not where: no paths, addresses or worker names", async () => {
    const res = await fetch(`${url()}/`, { headers: { cookie: await sessionCookie("viewer") } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("Reachable");
    expect(html).not.toContain(inject("dataDir"));
    expect(html).not.toContain(inject("temporalAddress"));
    const api = await fetch(`${url()}/api/trpc/health.status`, { headers: authHeaders("viewer") });
    const body = JSON.stringify(await api.json());
    expect(body).not.toContain(inject("dataDir"));
    expect(body).not.toContain(inject("temporalAddress"));
    expect(body).not.toMatch(/\d+@[\w.-]+/); // Temporal worker identities are pid@host
  });

  it("answers the API with readable errors, never stack traces", async () => {
    const res = await fetch(`${url()}/api/trpc/flow.save`, {
      method: "POST",
      headers: { "content-type": "application/json", ...authHeaders("editor") },
      body: JSON.stringify({ json: { graph: { name: "Bad", nodes: [{ id: "a", type: "source.csv-file@1", config: {} }], edges: [] } } }),
    });
    const body = await res.json();
    expect(res.status).toBe(400);
    expect(JSON.stringify(body)).toContain("Give either a path or an uploaded file");
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});
