import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { describeExit, formatDelay, StoppedError, Supervisor, type SupervisorEvent, type SupervisorOptions } from "./supervisor";

// Real child processes: small `node -e` scripts that exit, hang, ignore SIGTERM or fork.
const node = process.execPath;
const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-supervisor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A zombie (dead, not yet reaped by a PID 1 that takes its time) counts as dead. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return process.platform !== "linux";
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let current: Supervisor | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

function harness(o: SupervisorOptions = {}) {
  const events: SupervisorEvent[] = [];
  const logs: string[] = [];
  const out: string[] = [];
  const supervisor = new Supervisor({
    initialDelayMs: 50,
    maxDelayMs: 400,
    stableAfterMs: 60_000,
    killAfterMs: 2_000,
    log: (l) => logs.push(l),
    stdout: (l) => out.push(l),
    stderr: (l) => out.push(l),
    onEvent: (e) => events.push(e),
    ...o,
  });
  current = supervisor;
  const of = <T extends SupervisorEvent["type"]>(type: T) => events.filter((e): e is Extract<SupervisorEvent, { type: T }> => e.type === type);
  return { supervisor, events, logs, out, of };
}

const HANG = "setInterval(() => {}, 1000)";

describe("Supervisor", () => {
  it("restarts a child that exits, with a delay that doubles up to the maximum, and says so", async () => {
    const h = harness();
    await h.supervisor.add({ name: "crasher", command: { cmd: node, args: ["-e", "process.exit(3)"] } });
    await waitFor("six restarts", () => h.of("restart-scheduled").length >= 6);
    const delays = h.of("restart-scheduled").map((e) => e.delayMs);
    expect(delays.slice(0, 6)).toEqual([50, 100, 200, 400, 400, 400]);
    expect(h.of("restart-scheduled").map((e) => e.restart).slice(0, 3)).toEqual([1, 2, 3]);
    // Every restart is a new process.
    const pids = h.of("start").map((e) => e.pid);
    expect(new Set(pids).size).toBe(pids.length);
    expect(pids.length).toBeGreaterThanOrEqual(6);
    expect(h.logs[0]).toBe("The crasher exited (exit code 3); restarting it in 50 ms (restart 1)");
    expect(h.logs[2]).toBe("The crasher exited (exit code 3); restarting it in 200 ms (restart 3)");
  });

  it("starts over at the first delay after a child ran stably", async () => {
    // Runs 1 and 2 crash at once; run 3 stays up past stableAfterMs, then crashes; run 4 crashes.
    const counter = path.join(dir, "runs");
    const script = `
      const fs = require("fs"); const f = ${JSON.stringify(counter)};
      const n = (fs.existsSync(f) ? Number(fs.readFileSync(f, "utf8")) : 0) + 1;
      fs.writeFileSync(f, String(n));
      if (n === 3) setTimeout(() => process.exit(1), 2500); else process.exit(1);`;
    const h = harness({ stableAfterMs: 2000 });
    await h.supervisor.add({ name: "flaky", command: { cmd: node, args: ["-e", script] } });
    await waitFor("four restarts", () => h.of("restart-scheduled").length >= 4);
    expect(h.of("restart-scheduled").map((e) => e.delayMs).slice(0, 4)).toEqual([50, 100, 50, 100]);
    expect(h.of("exit")[2]!.ranMs).toBeGreaterThanOrEqual(2000);
    expect(readFileSync(counter, "utf8")).not.toBe("3");
  });

  it("restarts a child killed with SIGKILL from outside", async () => {
    const h = harness();
    const first = await h.supervisor.add({ name: "worker", command: { cmd: node, args: ["-e", HANG] } });
    process.kill(first.pid!, "SIGKILL");
    await waitFor("a second start", () => h.of("start").length === 2);
    const second = h.of("start")[1]!.pid;
    expect(second).not.toBe(first.pid);
    expect(alive(second)).toBe(true);
    expect(h.logs[0]).toBe("The worker exited (killed by SIGKILL); restarting it in 50 ms (restart 1)");
    expect(h.supervisor.status()).toEqual([{ name: "worker", pid: second, running: true, restarts: 1 }]);
  });

  it("stop() ends a running child with SIGTERM and does not restart it", async () => {
    const h = harness();
    const proc = await h.supervisor.add({ name: "server", command: { cmd: node, args: ["-e", HANG] } });
    await h.supervisor.stop();
    expect(alive(proc.pid!)).toBe(false);
    expect(h.of("exit")).toMatchObject([{ signal: "SIGTERM", expected: true }]);
    await new Promise((r) => setTimeout(r, 300)); // several initial delays: nothing comes back
    expect(h.of("start")).toHaveLength(1);
    expect(h.of("restart-scheduled")).toHaveLength(0);
    expect(h.supervisor.status()[0]!.running).toBe(false);
    await expect(h.supervisor.add({ name: "late", command: { cmd: node, args: ["-e", HANG] } })).rejects.toBeInstanceOf(StoppedError);
  });

  it("stop() cancels a pending restart", async () => {
    const h = harness({ initialDelayMs: 500 });
    await h.supervisor.add({ name: "crasher", command: { cmd: node, args: ["-e", "process.exit(2)"] } });
    await waitFor("a scheduled restart", () => h.of("restart-scheduled").length === 1);
    await h.supervisor.stop();
    await new Promise((r) => setTimeout(r, 700));
    expect(h.of("start")).toHaveLength(1);
  });

  it("kills a child that ignores SIGTERM after the grace period", async () => {
    const h = harness({ killAfterMs: 300 });
    const proc = await h.supervisor.add({
      name: "stubborn",
      command: { cmd: node, args: ["-e", `process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("up"); ${HANG}`] },
    });
    await waitFor("the handler", () => h.out.includes("[stubborn] up"));
    await h.supervisor.stop();
    expect(alive(proc.pid!)).toBe(false);
    expect(h.of("exit")[0]!.signal).toBe("SIGKILL");
    expect(h.out).toContain("[stubborn] ignoring SIGTERM");
    expect(h.logs).toContain("The stubborn did not stop within 300 ms; killing it.");
  });

  it("prefixes each line of output", async () => {
    const h = harness();
    await h.supervisor.add({
      name: "web app",
      command: { cmd: node, args: ["-e", `console.log("one\\ntwo"); console.error("oops"); ${HANG}`], prefix: "[web] " },
    });
    await waitFor("three lines", () => h.out.length >= 3);
    expect(h.out.sort()).toEqual(["[web] one", "[web] oops", "[web] two"]);
  });

  it("clears what a crashed child left in its process group before restarting it", async () => {
    // The child forks a server (same group) and is then killed, as a launcher script can be.
    const script = `
      const { spawn } = require("child_process");
      const g = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
      console.log("grandchild " + g.pid); setInterval(() => {}, 1000);`;
    const h = harness();
    const first = await h.supervisor.add({ name: "launcher", command: { cmd: node, args: ["-e", script] } });
    await waitFor("the grandchild", () => h.out.some((l) => l.startsWith("[launcher] grandchild")));
    const grandchild = Number(h.out.find((l) => l.startsWith("[launcher] grandchild"))!.split(" ").pop());
    expect(alive(grandchild)).toBe(true);
    process.kill(first.pid!, "SIGKILL");
    await waitFor("the orphan to be stopped", () => !alive(grandchild));
    await waitFor("a restart", () => h.of("start").length === 2);
  });

  it("stops children group by group: lower stopOrder first", async () => {
    const h = harness();
    // The "server" takes a while to stop; the "worker" must be gone before it is even asked.
    await h.supervisor.add({
      name: "server",
      stopOrder: 1,
      command: { cmd: node, args: ["-e", `process.on("SIGTERM", () => setTimeout(() => process.exit(0), 100)); console.log("up"); ${HANG}`] },
    });
    await h.supervisor.add({
      name: "worker",
      command: { cmd: node, args: ["-e", `process.on("SIGTERM", () => setTimeout(() => process.exit(0), 300)); console.log("up"); ${HANG}`] },
    });
    await h.supervisor.add({ name: "web", command: { cmd: node, args: ["-e", HANG] } });
    await waitFor("the handlers", () => h.out.filter((l) => l.endsWith("up")).length === 2);
    await h.supervisor.stop();
    const order = h.of("exit").map((e) => e.name);
    expect(order).toEqual(["web", "worker", "server"]);
  });

  it("restarts a launcher-started child through its launcher, and retries a launcher that fails", async () => {
    let calls = 0;
    const h = harness();
    await h.supervisor.add({
      name: "Temporal dev server",
      stopOrder: 1,
      exitDetails: () => "last log line",
      launch: async () => {
        calls++;
        if (calls === 2) throw new Error("port busy");
        return spawn(node, ["-e", calls === 1 ? "process.exit(5)" : HANG], { stdio: "ignore", detached: true });
      },
    });
    await waitFor("a third launch", () => h.of("start").length === 2);
    expect(calls).toBe(3);
    expect(h.of("launch-failed")).toMatchObject([{ error: "port busy" }]);
    expect(h.of("restart-scheduled").map((e) => e.delayMs)).toEqual([50, 100]);
    expect(h.logs).toEqual([
      "The Temporal dev server exited (exit code 5); restarting it in 50 ms (restart 1)\nlast log line",
      "Could not restart the Temporal dev server: port busy; restarting it in 100 ms (restart 2)",
    ]);
  });

  it("rejects when the first start fails and does not retry it", async () => {
    const h = harness();
    await expect(h.supervisor.add({ name: "missing", command: { cmd: path.join(dir, "no-such-binary"), args: [] } })).rejects.toThrow(/ENOENT/);
    await expect(
      h.supervisor.add({
        name: "server",
        launch: async () => {
          throw new Error("exited during start-up");
        },
      }),
    ).rejects.toThrow("exited during start-up");
    await new Promise((r) => setTimeout(r, 200));
    expect(h.events).toEqual([]);
    expect(h.supervisor.status()).toEqual([]);
  });

  it("describes exits", () => {
    expect(describeExit(3, null)).toBe("exit code 3");
    expect(describeExit(null, "SIGKILL")).toBe("killed by SIGKILL");
    expect(describeExit(137, null)).toBe("exit code 137: its process was killed by SIGKILL");
  });

  it("formats delays", () => {
    expect(formatDelay(250)).toBe("250 ms");
    expect(formatDelay(1000)).toBe("1 s");
    expect(formatDelay(2500)).toBe("2.5 s");
    expect(formatDelay(30_000)).toBe("30 s");
  });
});
