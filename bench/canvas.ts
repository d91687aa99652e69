// The editor with a 500-node flow in Chromium (production build): time until the nodes are drawn,
// and frame times while panning and zooming (p50, p95). The baseline is the same page with a
// 10-node flow, measured in the same browser.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { openSqliteStore } from "../db/store";
import { launchChromium } from "../lib/browser";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion } from "../server/services/flows";
import { buildWebApp, startWebApp } from "../tests/support-web";
import { benchAdmin } from "./bench-account";
import { fmt, median } from "./stats";

const CHAIN = ["source.csv-file@1", "transform.dedupe@1", "model.train-classifier@1", "model.score@1", "action.write-table@2"] as const;
const ROUNDS = 5;

/** `chains` copies of a five-node churn chain, five chains to a row. */
function chainsFlow(name: string, chains: number) {
  const config: Record<string, Record<string, unknown>> = {
    "source.csv-file@1": { path: "examples/data/telco-customer-churn.csv" },
    "transform.dedupe@1": { keys: ["customerID"] },
    "model.train-classifier@1": { target: "Churn" },
    "model.score@1": {},
    "action.write-table@2": { file: "crm.sqlite", table: "scores", keys: ["customerID"] },
  };
  const nodes: { id: string; type: string; position: { x: number; y: number }; config: Record<string, unknown> }[] = [];
  const edges: { source: string; sourceHandle: string; target: string; targetHandle: string }[] = [];
  for (let c = 0; c < chains; c++) {
    const ids = CHAIN.map((_, i) => `c${c}-n${i}`);
    CHAIN.forEach((type, i) => nodes.push({ id: ids[i]!, type, position: { x: ((c % 5) * 5 + i) * 280, y: Math.floor(c / 5) * 200 + (i % 2) * 40 }, config: config[type]! }));
    edges.push(
      { source: ids[0]!, sourceHandle: "rows", target: ids[1]!, targetHandle: "rows" },
      { source: ids[1]!, sourceHandle: "rows", target: ids[2]!, targetHandle: "rows" },
      { source: ids[1]!, sourceHandle: "rows", target: ids[3]!, targetHandle: "rows" },
      { source: ids[2]!, sourceHandle: "model", target: ids[3]!, targetHandle: "model" },
      { source: ids[3]!, sourceHandle: "rows", target: ids[4]!, targetHandle: "rows" },
    );
  }
  return { name, nodes, edges };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

// Records, from the start of navigation, when the first canvas node appears and every frame after.
const PROBE = `
  window.__lw = { firstNode: null, frames: [] };
  new MutationObserver((_, obs) => {
    if (document.querySelector(".react-flow__node")) { window.__lw.firstNode = performance.now(); obs.disconnect(); }
  }).observe(document, { childList: true, subtree: true });
`;

async function measure(page: Page, url: string, nodes: number) {
  await page.goto(url);
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node").length >= n && (window as never as { __lw: { firstNode: number | null } }).__lw.firstNode !== null, nodes, { timeout: 120_000 });
  // Drawn: every node measured by React Flow (it hides nodes until their size is known).
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>(".react-flow__node")].every((el) => el.style.visibility !== "hidden"), null, { timeout: 120_000 });
  const drawnAt = await page.evaluate(() => performance.now());
  const firstNode = await page.evaluate(() => (window as never as { __lw: { firstNode: number } }).__lw.firstNode);

  const box = (await page.locator(".react-flow__pane").boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  // A string, not a function: tsx would wrap a function's inner helpers in its own __name().
  await page.evaluate(`(() => {
    const lw = window.__lw;
    lw.frames = [];
    lw.stop = false;
    let last = performance.now();
    const tick = (t) => { lw.frames.push(t - last); last = t; if (!lw.stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  // Pan: drag the empty canvas around; zoom: wheel in and out over the middle.
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 0; i < 60; i++) await page.mouse.move(cx + Math.sin(i / 6) * 300, cy + Math.cos(i / 6) * 150);
  await page.mouse.up();
  for (let i = 0; i < 20; i++) {
    await page.mouse.wheel(0, i < 10 ? -120 : 120);
    await page.waitForTimeout(16);
  }
  const frames = await page.evaluate(() => {
    const lw = (window as never as { __lw: { frames: number[]; stop?: boolean } }).__lw;
    lw.stop = true;
    return lw.frames.slice(1);
  });
  return { firstRender: firstNode, drawn: drawnAt, p50: percentile(frames, 50), p95: percentile(frames, 95), frames: frames.length };
}

export async function canvasBench(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-canvas-"));
  const env = { ...process.env, LOOPWRIGHT_DATA_DIR: dir, TEMPORAL_ADDRESS: "127.0.0.1:9" };
  const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  const registry = await loadRegistry();
  await saveFlowVersion(store, registry, chainsFlow("Bench 500", 100), { flowId: "bench-500" });
  await saveFlowVersion(store, registry, chainsFlow("Bench 10", 2), { flowId: "bench-10" });
  await store.close();
  const account = await benchAdmin(dir);

  console.log("canvas: building the web app (next build)...");
  buildWebApp();
  const web = await startWebApp(env);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await context.addInitScript(PROBE);
    const signedIn = await context.request.post(`${web.url}/api/auth/sign-in/email`, { data: account, headers: { origin: web.url } });
    if (signedIn.status() !== 200) throw new Error(`signing in failed: HTTP ${signedIn.status()} ${await signedIn.text()}`);
    const page = await context.newPage();
    // Warm the server's route and the browser cache once, so both sizes start alike.
    await measure(page, `${web.url}/flows/bench-10`, 10);
    const small: Awaited<ReturnType<typeof measure>>[] = [];
    const large: Awaited<ReturnType<typeof measure>>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      small.push(await measure(page, `${web.url}/flows/bench-10`, 10));
      large.push(await measure(page, `${web.url}/flows/bench-500`, 500));
    }
    const row = (label: string, xs: typeof small) =>
      `  ${label.padEnd(10)} first node ${fmt(median(xs.map((x) => x.firstRender)), 0)} ms, all drawn ${fmt(median(xs.map((x) => x.drawn)), 0)} ms, ` +
      `frames p50 ${fmt(median(xs.map((x) => x.p50)))} ms, p95 ${fmt(median(xs.map((x) => x.p95)))} ms (${xs[0]!.frames} frames)`;
    console.log(`canvas: the editor in Chromium, 1920x1080, median of ${ROUNDS} loads (times from navigation start)`);
    console.log(row("10 nodes", small));
    console.log(row("500 nodes", large));
    const ratio = (f: (x: (typeof small)[number]) => number) => fmt(median(large.map(f)) / median(small.map(f)), 2);
    console.log(`  ratio 500/10: all drawn ${ratio((x) => x.drawn)}, frame p50 ${ratio((x) => x.p50)}, frame p95 ${ratio((x) => x.p95)}`);
  } finally {
    await browser.close();
    await web.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
