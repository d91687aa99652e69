import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../lib/dev-server";
import { projectRoot } from "../lib/paths";
import { testEnv } from "./support";

// The home page of a production build, against the test Temporal server and worker.
describe("web app home page", () => {
  let port = 0;
  let server: ReturnType<typeof spawn> | undefined;
  let log = "";

  beforeAll(async () => {
    const next = path.join(projectRoot, "node_modules", "next", "dist", "bin", "next");
    const distDir = ".next";
    const build = spawnSync(process.execPath, [next, "build"], { cwd: projectRoot, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`next build failed:\n${build.stdout}\n${build.stderr}`);
    port = await freePort();
    server = spawn(process.execPath, [next, "start", "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: projectRoot,
      env: testEnv({ NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: distDir }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout!.on("data", (d) => (log += d));
    server.stderr!.on("data", (d) => (log += d));
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/`)).status > 0) break;
      } catch {
        if (Date.now() > deadline) throw new Error(`next start did not answer:\n${log}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }, 600_000);

  afterAll(() => {
    server?.kill("SIGTERM");
  });

  it("says what is running: Temporal reachable, a worker polling, the data directory, the node catalog", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    const html = await res.text();
    expect(res.status, log).toBe(200);
    expect(html).toContain("Reachable");
    expect(html).not.toContain("Unreachable");
    expect(html).toContain(inject("temporalAddress"));
    expect(html).toMatch(/[1-9]\d*(<!-- -->)? polling/); // React separates text parts with a comment
    expect(html).toContain(inject("dataDir"));
    for (const label of ["CSV file", "Remove duplicates", "Train classifier", "Score with model", "Model metrics", "Write to table"]) {
      expect(html).toContain(label);
    }
  });

  it("answers the API with readable errors, never stack traces", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/trpc/flow.save`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { graph: { name: "Bad", nodes: [{ id: "a", type: "source.csv-file@1", config: {} }], edges: [] } } }),
    });
    const body = await res.json();
    expect(res.status).toBe(400);
    expect(JSON.stringify(body)).toContain("Give either a path or an uploaded file");
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});
