import { Client, Connection } from "@temporalio/client";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureNamespace, freePort, startDevServer, temporalBinary, type DevServer } from "../lib/dev-server";
import { temporalSettings } from "../lib/temporal";

// The embedded server keeps its state in a file: runs survive a restart, and the namespace settings
// are applied at runtime to a database file that was created before them.
describe("embedded Temporal dev server", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-devserver-"));
  let server: DevServer | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps runs across a restart and adds search attributes and retention to an existing database", async () => {
    const dbFile = path.join(dir, "temporal", "temporal.db");
    const port = await freePort();
    const settings = temporalSettings({ ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${port}` });

    const logFile = path.join(dir, "logs", "temporal.log");
    server = await startDevServer({ binary: temporalBinary()!, dbFile, port, logFile });
    // Its state and log are for this machine's operator only.
    expect(statSync(path.dirname(dbFile)).mode & 0o777).toBe(0o700);
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
    let connection = await Connection.connect({ address: settings.address });
    // No worker polls this queue: the run stays open, which is what must survive.
    await new Client({ connection }).workflow.start("runFlow", { taskQueue: "nobody-polls", workflowId: "survivor", args: [] });
    const before = await connection.operatorService.listSearchAttributes({ namespace: "default" });
    expect(Object.keys(before.customAttributes ?? {})).not.toContain("FlowId");
    await connection.close();
    await server.stop();

    server = await startDevServer({ binary: temporalBinary()!, dbFile, port });
    await ensureNamespace(settings);
    connection = await Connection.connect({ address: settings.address });
    try {
      const desc = await new Client({ connection }).workflow.getHandle("survivor").describe();
      expect(desc.status.name).toBe("RUNNING");
      const attrs = await connection.operatorService.listSearchAttributes({ namespace: "default" });
      expect(Object.keys(attrs.customAttributes ?? {})).toEqual(expect.arrayContaining(["FlowId", "FlowName", "FlowVersion", "TriggerKind"]));
      const ns = await connection.workflowService.describeNamespace({ namespace: "default" });
      expect(Number(ns.config?.workflowExecutionRetentionTtl?.seconds)).toBeGreaterThanOrEqual(7 * 86_400);
    } finally {
      await connection.close();
    }
  });
});
