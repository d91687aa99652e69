import { describe, expect, inject, it } from "vitest";
import { authHeaders, sessionCookie } from "./support";

// The home page and the admin status page of the production build (started by the global setup),
// against the test Temporal server and worker.
describe("web app home page", () => {
  const url = () => inject("webUrl");

  it("starts from questions: the template gallery, the figures, and one line saying runs can run", async () => {
    const res = await fetch(`${url()}/`, { headers: { cookie: await sessionCookie("editor") } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("Start from a question");
    expect(html).toContain("Everything is running: flows run as soon as you start them.");
    for (const q of ["Which customers are about to churn, and how do we keep them?", "Which lapsed customers are worth winning back?", "Which leads are ready for sales?", "What are reviewers unhappy about?", "Did our campaign work?", "Who are our customer segments?"]) {
      expect(html).toContain(q);
    }
    expect(html).toContain("Customers reached, last 7 days");
    // The engineer's board is not here: no addresses, no node catalog.
    expect(html).not.toContain(inject("temporalAddress"));
    expect(html).not.toContain("Node catalog");
  });

  it("says what is running on the admin status page: Temporal reachable, a worker polling, the data directory, the node catalog", async () => {
    const res = await fetch(`${url()}/admin/status`, { headers: { cookie: await sessionCookie("admin") } });
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
    expect(html).toContain("Everything is running");
    const board = await (await fetch(`${url()}/admin/status`, { headers: { cookie: await sessionCookie("viewer") } })).text();
    expect(board).toContain("Only admins can open this page");
    expect(board).not.toContain(inject("dataDir"));
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
