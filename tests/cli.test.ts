// The `loopwright` command as a client of the web app: validate, upload and run go through the
// app's API (LOOPWRIGHT_URL), and the command says what to do when the app is not there or goes
// away while a run is followed.
import { createTRPCClient, httpLink } from "@trpc/client";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import superjson from "superjson";
import { describe, expect, inject, it } from "vitest";
import { freePort } from "../lib/dev-server";
import { projectRoot } from "../lib/paths";
import type { AppRouter } from "../server/api/root";
import { telcoFlow, writeFlow } from "./flows";
import { authHeaders, lastJsonLine, runCli, testEnv, type CliResult } from "./support";
import { startWebApp } from "./support-web";

// Mutations name the app as their origin, as the CLI does (the app refuses cross-site ones).
const api = () =>
  createTRPCClient<AppRouter>({ links: [httpLink({ url: `${inject("webUrl")}/api/trpc`, transformer: superjson, headers: authHeaders() })] });

/** A line of a Node stack trace ("    at fn (file:line:col)"). */
const STACK_LINE = /^\s+at .+[:(]/m;

function scratchDir(): string {
  return mkdtempSync(path.join(inject("dataDir"), "cli-"));
}

describe("loopwright validate", () => {
  it("lists every problem of a broken flow, as the server finds them, and exits 2", async () => {
    const file = writeFlow("cli-broken", {
      id: "cli-broken",
      name: "Broken",
      nodes: [
        { id: "load", type: "source.csv-file@1", config: { path: 42 } },
        { id: "unique", type: "transform.dedupe@1", config: { keys: [] } },
        { id: "mystery", type: "transform.nope@1", config: {} },
      ],
      edges: [{ source: "load", sourceHandle: "rows", target: "unique", targetHandle: "rows" }],
    });
    const res = await runCli(["validate", file]);
    expect(res.code, res.stderr).toBe(2);
    const problems = (await api().flow.validate.mutate({ graph: JSON.parse(readFileSync(file, "utf8")) })).problems;
    expect(problems.length).toBeGreaterThanOrEqual(3);
    expect(res.stderr).toContain(`${file}: ${problems.length} problem(s)`);
    expect(res.stderr).toMatch(/node "load", field "path"/);
    expect(res.stderr).toMatch(/node "unique", field "keys"/);
    expect(res.stderr).toMatch(/node "mystery", field "type": Unknown node type "transform.nope"/);
    expect(res.stdout).toBe("");
  });

  it("says a valid flow is valid", async () => {
    const res = await runCli(["validate", path.join(projectRoot, "examples", "flows", "telco-churn.flow.json")]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/telco-churn\.flow\.json: valid \(\d+ nodes, \d+ edges\)/);
  });
});

describe("loopwright upload", () => {
  it("streams a CSV to the app and prints only its id", async () => {
    const file = path.join(scratchDir(), "customers small.csv");
    writeFileSync(file, "id,name,spend\n1,Ada,12.5\n2,Grace,7\n3,Linus,0\n");
    const res = await runCli(["upload", file]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^file_[0-9a-f]+\n$/);
    const id = res.stdout.trim();
    const stored = (await api().dataset.files.query()).find((f) => f.id === id);
    expect(stored).toMatchObject({ name: "customers small.csv", rows: 3, format: "csv" });
    expect(stored?.columns?.map((c: { name: string }) => c.name)).toEqual(["id", "name", "spend"]);
  });

  it("prints the server's refusal of a file it cannot take", async () => {
    const file = path.join(scratchDir(), "setup.exe");
    writeFileSync(file, "MZ not really a program");
    const res = await runCli(["upload", file]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/^setup\.exe: \.exe files cannot be uploaded; use one of \.csv/);
    expect(res.stderr).not.toMatch(STACK_LINE);
  });
});

describe("without the web app", () => {
  it("says it cannot reach Loopwright at the URL, without a stack trace", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const res = await runCli(["run", path.join(projectRoot, "examples", "flows", "telco-churn.flow.json"), "--json"], testEnv({ LOOPWRIGHT_URL: url }));
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr.trim()).toBe(`Cannot reach Loopwright at ${url} (connection refused). Start it with \`npm start\`, or set LOOPWRIGHT_URL to where it runs.`);
  });

  it("prints the server's answer for a run it does not know", async () => {
    const res = await runCli(["status", "run_does_not_exist"]);
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(`No run "run_does_not_exist"`);
  });
});

/** The CLI as runCli starts it, with a callback on its output as it comes. */
function spawnCli(args: string[], env: NodeJS.ProcessEnv, onOutput: (all: string) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(projectRoot, "bin", "loopwright.mjs"), ...args], { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => {
      stdout += d;
      onOutput(stdout + stderr);
    });
    proc.stderr.on("data", (d) => {
      stderr += d;
      onOutput(stdout + stderr);
    });
    proc.on("error", reject);
    proc.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("connection lost while following a run", () => {
  it("says the run goes on and where to follow it, exits 3, and the run still succeeds", { timeout: 240_000 }, async () => {
    // Without its own signal handlers (NEXT_MANUAL_SIG_HANDLE), `next start` dies at once on
    // SIGTERM, like a crash; its graceful shutdown would keep serving the CLI's keep-alive polls.
    const second = await startWebApp(testEnv({ NEXT_MANUAL_SIG_HANDLE: "1" }));
    let stopping: Promise<void> | undefined;
    let runId: string | undefined;
    const file = writeFlow("cli-lost", telcoFlow({ id: "cli-lost-connection", crm: path.join(scratchDir(), "crm.sqlite") }));
    let res: CliResult;
    try {
      res = await spawnCli(["run", file], testEnv({ LOOPWRIGHT_URL: second.url }), (out) => {
        const m = /^run (\S+)\n/m.exec(out);
        if (m && !stopping) {
          runId = m[1];
          stopping = second.stop();
        }
      });
    } finally {
      await (stopping ?? second.stop());
    }
    expect(runId, res.stdout + res.stderr).toBeDefined();
    expect(res.code, res.stdout + res.stderr).toBe(3);
    expect(res.stderr).toContain(`Lost the connection to Loopwright at ${second.url} while following run ${runId}`);
    expect(res.stderr).toContain("The run goes on in Temporal");
    expect(res.stderr).toContain(`run page:    ${second.url}/runs/${runId}`);
    expect(res.stderr).toMatch(/Temporal UI: http:\/\/localhost:8233\/\S+/);
    expect(res.stderr).toContain(`loopwright status ${runId} --follow`);
    // Not following any more is not a cancellation: no node or run is reported as cancelled.
    expect(res.stdout + res.stderr).not.toMatch(/^\s*cancelled\s|Run cancelled/m);
    expect(res.stderr).not.toMatch(STACK_LINE);

    // The main web app is still there: the run finished in Temporal without the CLI.
    const status = await runCli(["status", runId!, "--follow", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const summary = lastJsonLine(status.stdout);
    expect(summary).toMatchObject({ runId, status: "succeeded" });
    expect(summary.nodes.length).toBeGreaterThan(3);
    for (const n of summary.nodes) expect(n.status, n.id).toBe("succeeded");
    const detail = await api().run.get.query({ runId: runId! });
    expect(detail.run.status).toBe("succeeded");
    expect(detail.run.triggerKind).toBe("cli");
  });
});
