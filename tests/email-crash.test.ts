// Kill -9 of the worker in the middle of sending 2,000 e-mails: the node is retried on a new worker,
// which skips every customer the ledger has as sent, and Mailpit ends up with exactly 2,000
// messages, one per customer. The one message that can be resent (sent, but killed before its
// ledger write) carries the same Message-ID, which Mailpit (--ignore-duplicate-ids) drops; how
// many it dropped is printed and bounded by the messages in flight.
import { Client, Connection } from "@temporalio/client";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { ledger, profiles, runs } from "../db/store";
import { MailpitApi } from "../lib/mailpit";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { startWorker, testEnv, testStore } from "./support";

const N = 2000;
const CONCURRENCY = 4;
const DOMAIN = "crash.example";

describe("e-mail durability", () => {
  it("sends exactly one message per customer when the worker is killed mid-send and the node is retried", async () => {
    // Its own task queue, and no inbox pump: this worker is killed.
    const env = testEnv({ LOOPWRIGHT_TASK_QUEUE: "email-crash", LOOPWRIGHT_PUMP: "0" });
    const settings = temporalSettings(env);
    const db = testStore();
    const api = new MailpitApi(inject("mailpitUrl"));

    const ids = Array.from({ length: N }, (_, i) => `crash-${String(i).padStart(4, "0")}`);
    const file = path.join(inject("dataDir"), "crash-customers.csv");
    writeFileSync(file, `customerID,MonthlyCharges\n${ids.map((id, i) => `${id},${(20 + (i % 80)).toFixed(2)}`).join("\n")}\n`);
    await profiles.writeTraits(db, ids.map((id) => ({ userId: id, traits: { first_name: `N${id.slice(6)}`, email: `${id}@${DOMAIN}`, consent: { email: true } } })));

    const flow = {
      id: "email-crash",
      name: "E-mail crash",
      nodes: [
        { id: "customers", type: "source.csv-file@1", position: { x: 0, y: 0 }, config: { path: file } },
        {
          id: "email",
          type: "action.send-email@1",
          position: { x: 300, y: 0 },
          config: { connection: "mailpit", customerId: "customerID", subject: "{{ profile.first_name }}, hello", html: "<p>You pay {{ row.MonthlyCharges }}</p>", text: "You pay {{ row.MonthlyCharges }}", concurrency: CONCURRENCY },
          // The server notices the dead worker within seconds.
          options: { heartbeatTimeout: "4 seconds" },
        },
      ],
      edges: [{ id: "e1", source: "customers", sourceHandle: "rows", target: "email", targetHandle: "rows" }],
    };
    const registry = await loadRegistry();
    const saved = await saveFlowVersion(db, registry, flow, { flowId: flow.id });
    const ignoredBefore = (await api.stats()).ignored;

    const first = await startWorker(env);
    const connection = await Connection.connect({ address: settings.address });
    try {
      const client = new Client({ connection, namespace: settings.namespace });
      const started = await startRun(db, registry, client, settings, { versionId: saved.versionId });
      const sent = async () => (await ledger.countsByRun(db, started.runId)).filter((c) => c.status === "sent").reduce((n, c) => n + c.n, 0);

      const deadline = Date.now() + 180_000;
      let atKill = 0;
      while ((atKill = await sent()) < 300) {
        if (Date.now() > deadline) throw new Error(`sending never got going:\n${first.output()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      await first.stop("SIGKILL");
      expect(first.proc.signalCode).toBe("SIGKILL");
      const afterKill = await sent();
      expect(afterKill).toBeLessThan(N); // killed in the middle of sending

      const second = await startWorker(env);
      try {
        expect((await client.workflow.getHandle(started.workflowId).result()).status).toBe("succeeded");
      } finally {
        await second.stop();
      }
      const node = await runs.node(db, started.runId, "email");
      expect(node.attempt).toBeGreaterThanOrEqual(2);
      expect(node.metrics).toMatchObject({ failed: 0, suppressed: 0 });
      const retried = node.metrics as { sent: number; alreadySettled: number; messagesPerSecond?: number };
      expect(retried.sent + retried.alreadySettled).toBe(N);

      // Mailpit: exactly 2,000, one per customer.
      const got = (await api.messages()).filter((m) => m.To[0]?.Address.endsWith(`@${DOMAIN}`));
      expect(got).toHaveLength(N);
      expect(new Set(got.map((m) => m.To[0]!.Address)).size).toBe(N);
      expect(new Set(got.map((m) => m.MessageID)).size).toBe(N);
      // The ledger: 2,000 sent rows, each with the Message-ID Mailpit has.
      const rows = (await ledger.list(db, { flowId: flow.id })).filter((r) => r.runId === started.runId);
      expect(rows.filter((r) => r.status === "sent")).toHaveLength(N);
      expect(new Set(rows.map((r) => r.providerId))).toEqual(new Set(got.map((m) => `<${m.MessageID}>`)));

      // Resends the ledger could not prevent (accepted by Mailpit, not yet recorded when killed): dropped by Message-ID.
      const ignored = (await api.stats()).ignored - ignoredBefore;
      console.log(
        `[email-crash] killed after ${atKill} recorded sends (${afterKill} when it was dead); the retry sent ${retried.sent} at ${retried.messagesPerSecond ?? "?"} messages/s and skipped ${retried.alreadySettled}; Mailpit dropped ${ignored} duplicate(s) by Message-ID`,
      );
      expect(ignored).toBeLessThanOrEqual(CONCURRENCY);
    } finally {
      await first.stop("SIGKILL");
      await connection.close();
    }
  }, 400_000);
});
