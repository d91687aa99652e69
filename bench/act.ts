// Actions, measured: webhooks per second to a local receiver (against plain fetch with the same
// concurrency), rows per second synced into PostgreSQL (against psql's \copy of the same rows),
// and e-mails handed to Mailpit per second (bench/act-email.ts: also event accepted -> e-mail received).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import webhook from "../nodes/action/webhook.node.ts";
import sync from "../nodes/action/sync.node.ts";
import csvFile from "../nodes/source/csv-file.node.ts";
import type { DatasetRef } from "../nodes/sdk/types";
import { findPostgresBin, startPostgres } from "../lib/postgres-test-server";
import { harness } from "../tests/harness";
import { actEmailBench } from "./act-email";
import { fmt, timed } from "./stats";

const WEBHOOK_ROWS = Number(process.env.LOOPWRIGHT_BENCH_WEBHOOKS) || 5_000;
const SYNC_COPIES = Number(process.env.LOOPWRIGHT_BENCH_SYNC_COPIES) || 10;

async function webhookBench(): Promise<void> {
  const h = harness();
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.LOOPWRIGHT_HTTP_ALLOW = new URL(base).host;
  try {
    await h.connection({
      name: "receiver",
      kind: "http",
      config: { baseUrl: base },
      plainHttpHosts: ["127.0.0.1"],
      secrets: { signingSecret: `whsec_${Buffer.alloc(32, 7).toString("base64")}` },
    });
    const rows = await h.ctx("setup").datasets.create(`SELECT 'c' || i AS customer, 'Hello ' || i AS message, i * 1.5 AS amount FROM range(${WEBHOOK_ROWS}) t(i)`);
    const [ms, out] = await timed(() => h.run(webhook, { connection: "receiver", customerId: "customer", concurrency: 8 }, { rows }, h.ctx("hook", { runId: "bench-webhooks" })));
    const sent = Number((out.metrics as { sent?: number }).sent ?? 0);
    // Baseline: the same number of signed-size JSON POSTs with plain fetch, 8 in flight.
    let next = 0;
    const [baseMs] = await timed(async () => {
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < WEBHOOK_ROWS) {
            const i = next++;
            const res = await fetch(`${base}/plain`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ customer: `c${i}`, message: `Hello ${i}`, amount: i * 1.5 }) });
            await res.arrayBuffer();
          }
        }),
      );
    });
    console.log(`\nWebhooks: ${fmt(WEBHOOK_ROWS, 0)} rows to a local receiver, one request per row, 8 in flight, signed (Standard Webhooks), ledger row each`);
    console.log(`  action.webhook ${fmt(sent / (ms / 1000), 0)} rows/s (${sent.toLocaleString("en-US")} sent, ${received.toLocaleString("en-US")} requests received in all)`);
    console.log(`  plain fetch    ${fmt(WEBHOOK_ROWS / (baseMs / 1000), 0)} requests/s   ratio ${fmt(ms / baseMs, 2)}x the baseline's time`);
  } finally {
    server.close();
    await h.close();
  }
}

async function syncBench(): Promise<void> {
  const h = harness();
  const pgServer = await startPostgres();
  try {
    await h.connection({
      name: "crm",
      kind: "postgres",
      config: { host: "127.0.0.1", port: pgServer.port, database: pgServer.database, user: pgServer.user },
      secrets: { password: pgServer.password },
    });
    const ds = h.ctx("setup").datasets;
    const csv = (await h.run(csvFile, { path: "examples/data/telco-customer-churn.csv" })).outputs.rows as DatasetRef;
    const rows = await ds.create(
      `SELECT * EXCLUDE (copy) REPLACE ("customerID" || '-' || copy AS "customerID", TRY_CAST(trim(CAST("TotalCharges" AS VARCHAR)) AS DOUBLE) AS "TotalCharges") FROM ${ds.from(csv)}, range(${SYNC_COPIES}) c(copy)`,
    );
    const [ms, out] = await timed(() => h.run(sync, { connection: "crm", table: "customers", keys: ["customerID"], mode: "upsert" }, { rows }, h.ctx("sync", { runId: "bench-sync" })));
    const m = out.metrics as { added?: number; writeSeconds?: number };
    // Baseline: psql's \copy of the same rows (as CSV) into an empty table of the same shape.
    const file = path.join(h.dataDir, "rows.csv");
    await ds.query(`COPY (SELECT * FROM ${ds.from(rows)}) TO '${file.replace(/'/g, "''")}' (HEADER, DELIMITER ',')`);
    const psql = path.join(findPostgresBin(), "psql");
    const env = { ...process.env, PGPASSWORD: pgServer.password };
    const args = ["-h", "127.0.0.1", "-p", String(pgServer.port), "-U", pgServer.user, "-d", pgServer.database, "-v", "ON_ERROR_STOP=1", "-q", "-c"];
    execFileSync(psql, [...args, "CREATE TABLE copied (LIKE customers INCLUDING ALL)"], { env });
    const [copyMs] = await timed(async () => execFileSync(psql, [...args, `\\copy copied FROM '${file}' CSV HEADER`], { env }));
    writeFileSync(file, "");
    const n = Number(m.added ?? 0);
    console.log(`\nSync into PostgreSQL: ${fmt(rows.rows, 0)} rows (Telco x ${SYNC_COPIES}), upsert, ledger row each`);
    console.log(`  action.sync  ${fmt(n / (ms / 1000), 0)} rows/s (${n.toLocaleString("en-US")} added; ${fmt(Number(m.writeSeconds ?? 0), 1)} s of ${fmt(ms / 1000, 1)} s writing to PostgreSQL)`);
    console.log(`  psql \\copy   ${fmt(rows.rows / (copyMs / 1000), 0)} rows/s   ratio ${fmt(ms / copyMs, 1)}x the baseline's time`);
  } finally {
    await pgServer.stop();
    await h.close();
  }
}

export async function actBench(): Promise<void> {
  await webhookBench();
  await syncBench();
  await actEmailBench();
}
