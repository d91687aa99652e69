// Live journey counts on the canvas, in Chromium against the production build, the test Temporal
// server and worker: 30 customers enter a wait until each one's due date; the 12 whose date is past
// go on at once (through a dedupe, in a run of their own), the 18 due in ten minutes stay. The
// editor shows under each node how many entered, wait there now and passed on; once the run is
// cancelled, nothing is live and the counts go away.
import { Client, Connection } from "@temporalio/client";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { runs } from "../db/store";
import { launchChromium } from "../lib/browser";
import { projectRoot } from "../lib/paths";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { testEnv, testStore } from "./support";
import { signedInContext } from "./support-browser";

const ARTIFACTS = path.join(projectRoot, "test-artifacts");
const store = testStore();
const stamp = Date.now().toString(36);
const FLOW = `live-counts-2-${stamp}`;
const N = 30;
const DUE_NOW = 12;
const url = (p: string) => `${inject("webUrl")}${p}`;
let browser: Browser;
let page: Page | undefined;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach((ctx) => {
  ctx.onTestFailed(async () => {
    await page?.screenshot({ path: path.join(ARTIFACTS, "failed-live-counts.png"), fullPage: true }).catch(() => undefined);
  });
});

/** "YYYY-MM-DD HH:MM:SS" in UTC, which the CSV reader takes as a timestamp. */
const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

function flow(csv: string) {
  return {
    id: FLOW,
    name: `Live counts ${stamp}`,
    nodes: [
      { id: "customers", type: "source.csv-file@1", position: { x: 0, y: 120 }, config: { path: csv } },
      { id: "hold", type: "control.wait@1", position: { x: 320, y: 120 }, config: { mode: "until", dateColumn: "due", amount: 0, unit: "seconds", customerId: "user_id" } },
      { id: "after", type: "transform.dedupe@1", position: { x: 640, y: 120 }, config: { keys: ["user_id"], keep: "first" } },
    ],
    edges: [
      { id: "e1", source: "customers", sourceHandle: "rows", target: "hold", targetHandle: "rows" },
      { id: "e2", source: "hold", sourceHandle: "rows", target: "after", targetHandle: "rows" },
    ],
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the flow's runs: ${JSON.stringify(await runs.list(store, { flowId: FLOW, limit: 20 }))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("live journey counts on the canvas", () => {
  it("shows under each node the customers who entered, wait there now and passed on, and nothing once the run is cancelled", async () => {
    const csv = path.join(inject("dataDir"), `${FLOW}.csv`);
    const later = utc(Date.now() + 10 * 60_000);
    const rows = Array.from({ length: N }, (_, i) => `c${String(i).padStart(2, "0")}-${stamp},${i < DUE_NOW ? "2020-01-01 00:00:00" : later}`);
    writeFileSync(csv, ["user_id,due", ...rows].join("\n") + "\n");

    const registry = await loadRegistry();
    const settings = temporalSettings(testEnv());
    const saved = await saveFlowVersion(store, registry, flow(csv), { flowId: FLOW });
    const connection = await Connection.connect({ address: settings.address });
    try {
      const client = new Client({ connection, namespace: settings.namespace });
      const started = await startRun(store, registry, client, settings, { versionId: saved.versionId });
      const handle = client.workflow.getHandle(started.workflowId);
      try {
        // The wait holds the 18; the 12 due went on in a run of their own, which has finished.
        await until("the wait to hold its customers", async () => (await runs.node(store, started.runId, "hold")).status === "waiting", 60_000);
        await until("the part due now to go through the dedupe", async () => {
          const child = (await runs.list(store, { flowId: FLOW, limit: 20 })).find((r) => r.trigger?.parent?.node === "hold");
          return !!child && (await runs.node(store, child.id, "after").catch(() => undefined))?.status === "succeeded";
        }, 60_000);

        const context = await signedInContext(browser, "editor", { viewport: { width: 1600, height: 900 } });
        context.setDefaultTimeout(20_000);
        page = await context.newPage();
        await page.goto(url(`/flows/${FLOW}`));
        await page.getByTestId("node-hold").waitFor();

        // Counted by hand: the source passed on all 30; the wait took in 30, holds 18, let 12 go; the dedupe had those 12.
        const expected = [
          { node: "customers", sentence: "30 entered, 0 waiting here, 30 passed on", short: "30 passed on" },
          { node: "hold", sentence: "30 entered, 18 waiting here, 12 passed on", short: "18 waiting · 12 passed on" },
          { node: "after", sentence: "12 entered, 0 waiting here, 12 passed on", short: "12 passed on" },
        ];
        for (const { node, sentence, short } of expected) {
          const live = page.getByTestId(`node-live-${node}`);
          // What a screen reader reads (the short form and the dot are hidden from it), and what the eye sees.
          await live.getByText(`Live now, in version 1: ${sentence}`, { exact: true }).waitFor({ state: "attached" });
          expect(await live.ariaSnapshot()).toBe(`- text: "Live now, in version 1: ${sentence}"`);
          expect((await page.getByTestId(`node-live-short-${node}`).innerText()).replace(/\s+/g, " ").trim()).toBe(short);
          expect(await live.getAttribute("title")).toBe(`Live now, in version 1: ${sentence}`);
        }
        await page.screenshot({ path: path.join(ARTIFACTS, "live-counts.png") });

        // Cancelled, the run holds nobody: the counts go away at the next poll (every 3 s while someone waits).
        await handle.cancel();
        await handle.result().catch(() => undefined);
        await until("the run to be recorded as cancelled", async () => (await runs.row(store, started.runId)).status === "cancelled", 30_000);
        for (const { node } of expected) await page.getByTestId(`node-live-${node}`).waitFor({ state: "detached", timeout: 15_000 });
        await page.getByTestId("node-hold").waitFor();
      } finally {
        // Leave nothing waiting for the other tests' worker, whatever failed above.
        await handle.cancel().catch(() => undefined);
      }
    } finally {
      await connection.close();
    }
  }, 150_000);
});
