// The editor and the Models page at laptop and desktop sizes, in Chromium against the production
// build, the test Temporal server and worker. The Telco flow (six nodes) is run through the CLI, so
// the editor opens it with run results and the Models page lists the model it trained (and a
// second version of it, put in the registry directly). The canvas
// keeps most of the window at 1280x800 and 1920x1080 (with and without a node's settings open), no
// node lies under the minimap, and the Models page never scrolls sideways (its table scrolls in
// its own box).
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { models } from "../db/store";
import { launchChromium } from "../lib/browser";
import { projectRoot } from "../lib/paths";
import { telcoFlow, writeFlow } from "./flows";
import { lastJsonLine, runCli, testStore } from "./support";
import { signedInContext } from "./support-browser";

const ARTIFACTS = path.join(projectRoot, "test-artifacts");
const stamp = Date.now().toString(36);
const FLOW = `layout-telco-${stamp}`;
const MODEL = `layout-churn-${stamp}`;
const NODES = ["customers", "unique", "train", "score", "metrics", "writeback"];
const url = (p: string) => `${inject("webUrl")}${p}`;

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (a: Box, outer: Box) => a.x >= outer.x - 0.5 && a.y >= outer.y - 0.5 && a.x + a.width <= outer.x + outer.width + 0.5 && a.y + a.height <= outer.y + outer.height + 0.5;
const size = (b: Box) => `${Math.round(b.width)}x${Math.round(b.height)}`;

let browser: Browser;
let page: Page | undefined;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  const flow = telcoFlow({ id: FLOW, crm: `${FLOW}.sqlite` });
  flow.nodes.find((n: { id: string }) => n.id === "train").config.modelName = MODEL;
  const res = await runCli(["run", writeFlow(FLOW, flow), "--json"]);
  expect(res.code, res.stderr).toBe(0);
  expect(lastJsonLine(res.stdout).status).toBe("succeeded");
  // A second version, as a second run would save: a candidate, so its row has the widest cell
  // (the Make current and Archive buttons).
  const v1 = await models.byName(testStore(), MODEL);
  await models.insert(testStore(), {
    id: `${v1.id}-again`,
    name: v1.name,
    kind: v1.kind,
    metrics: v1.metrics,
    artifactPath: v1.artifactPath!,
    inputSchema: v1.inputSchema,
    datasetId: v1.datasetId ?? undefined,
    runId: v1.runId ?? undefined,
    nodeId: v1.nodeId ?? undefined,
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

beforeEach((ctx) => {
  ctx.onTestFailed(async () => {
    await page?.screenshot({ path: path.join(ARTIFACTS, `failed-layout-${ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 50)}.png`) }).catch(() => undefined);
  });
});

/** The canvas, the minimap and every node, once the view has settled (two frames without change). */
async function measure(p: Page) {
  await p.waitForFunction(() => {
    const w = window as unknown as { __lastView?: string; __same?: number };
    const view = [".react-flow", ".react-flow__viewport", ".react-flow__minimap"]
      .map((s) => {
        const el = document.querySelector(s);
        return el ? `${JSON.stringify(el.getBoundingClientRect())}${getComputedStyle(el).transform}` : "";
      })
      .join("|");
    w.__same = w.__lastView === view ? (w.__same ?? 0) + 1 : 0;
    w.__lastView = view;
    return w.__same >= 5;
  }, undefined, { polling: 50 });
  const canvas = (await p.locator(".react-flow").boundingBox())!;
  const minimap = await p.locator(".react-flow__minimap").boundingBox();
  const nodes = await Promise.all(NODES.map(async (id) => ({ id, box: (await p.getByTestId(`node-${id}`).boundingBox())! })));
  return { canvas, minimap, nodes };
}

function expectClear(where: string, m: Awaited<ReturnType<typeof measure>>) {
  expect(m.minimap, `${where}: the minimap is shown`).not.toBeNull();
  for (const n of m.nodes) {
    expect(overlap(n.box, m.minimap!), `${where}: node ${n.id} ${JSON.stringify(n.box)} under the minimap ${JSON.stringify(m.minimap)}`).toBe(false);
    expect(inside(n.box, m.canvas), `${where}: node ${n.id} ${JSON.stringify(n.box)} outside the canvas ${JSON.stringify(m.canvas)}`).toBe(true);
  }
}

describe("layout at laptop and desktop sizes", () => {
  // What a good layout leaves the canvas: the window less the header and toolbar (about 105 px) in
  // height; in width, less the palette (240 px) and, with a node's settings open, the settings panel
  // (320 px below 1536 px, 360 px above). At 1280 that leaves 720 px, so the palette folds to a
  // 44 px strip on demand: 916 px. (It was 680 px: a 360 px panel, no folding.)
  const sizes = [
    { width: 1280, height: 800, open: { width: 1000, height: 660 }, selected: { width: 700, height: 660 }, folded: { width: 900, height: 660 } },
    { width: 1920, height: 1080, open: { width: 1650, height: 940 }, selected: { width: 1300, height: 940 }, folded: null },
  ];

  for (const s of sizes) {
    it(`gives the canvas the room at ${s.width}x${s.height} and keeps the nodes clear of the minimap`, async () => {
      const context = await signedInContext(browser, "editor", { viewport: { width: s.width, height: s.height } });
      context.setDefaultTimeout(20_000);
      page = await context.newPage();
      try {
        await page.goto(url(`/flows/${FLOW}`));
        for (const id of NODES) await page.locator(`[data-testid="node-status-${id}"][data-status="succeeded"]`).waitFor();

        const opened = await measure(page);
        console.log(`${s.width}x${s.height}: canvas ${size(opened.canvas)} as opened, minimap ${opened.minimap && size(opened.minimap)}`);
        await page.screenshot({ path: path.join(ARTIFACTS, `layout-editor-${s.width}x${s.height}.png`) });
        expect(opened.canvas.width).toBeGreaterThanOrEqual(s.open.width);
        expect(opened.canvas.height).toBeGreaterThanOrEqual(s.open.height);
        expectClear("as opened", opened);

        // A node's settings open: the canvas stays wide and the nodes stay in view, clear of the minimap.
        // Clicking a finished node opens its output preview as well; closed here, opened again below.
        // (The example's Model metrics card overlaps the top of Score's, so Remove duplicates is the one clicked.)
        await page.getByTestId("node-unique").locator("div").first().click({ position: { x: 12, y: 10 } });
        const settings = page.getByRole("complementary", { name: "Node settings" });
        await settings.waitFor();
        await page.getByRole("button", { name: "Close preview" }).click();
        const selected = await measure(page);
        console.log(`${s.width}x${s.height}: canvas ${size(selected.canvas)} with the settings open`);
        await page.screenshot({ path: path.join(ARTIFACTS, `layout-editor-${s.width}x${s.height}-settings.png`) });
        expect(selected.canvas.width).toBeGreaterThanOrEqual(s.selected.width);
        expect(selected.canvas.height).toBeGreaterThanOrEqual(s.selected.height);
        expectClear("settings open", selected);

        if (s.folded) {
          // The palette folded: the canvas takes its room, the view follows, still clear of the minimap.
          await page.getByRole("button", { name: "Fold the node palette" }).click();
          await page.getByRole("button", { name: "Show the node palette" }).waitFor();
          const folded = await measure(page);
          console.log(`${s.width}x${s.height}: canvas ${size(folded.canvas)} with the settings open and the palette folded`);
          await page.screenshot({ path: path.join(ARTIFACTS, `layout-editor-${s.width}x${s.height}-folded.png`) });
          expect(folded.canvas.width).toBeGreaterThanOrEqual(s.folded.width);
          expect(folded.canvas.height).toBeGreaterThanOrEqual(s.folded.height);
          expectClear("palette folded", folded);
        }

        // The output preview under the canvas as well: less height, the nodes still clear.
        await settings.getByRole("button", { name: "Preview output" }).click();
        await page.getByRole("table", { name: "Output of Remove duplicates" }).waitFor();
        const preview = await measure(page);
        console.log(`${s.width}x${s.height}: canvas ${size(preview.canvas)} with the settings and the preview open`);
        await page.screenshot({ path: path.join(ARTIFACTS, `layout-editor-${s.width}x${s.height}-preview.png`) });
        expectClear("settings and preview open", preview);

        if (s.folded) {
          // The choice is kept: the palette is still folded after a reload.
          await page.reload();
          await page.getByRole("button", { name: "Show the node palette" }).waitFor();
          const reloaded = await measure(page);
          console.log(`${s.width}x${s.height}: canvas ${size(reloaded.canvas)} reopened with the palette folded`);
          expectClear("reopened with the palette folded", reloaded);
          await page.getByRole("button", { name: "Show the node palette" }).click();
          await page.locator('[data-ref="source.csv-file@1"]').waitFor();
        }
      } finally {
        await context.close();
        page = undefined;
      }
    }, 90_000);
  }

  for (const s of [
    { width: 1280, height: 800 },
    { width: 1440, height: 900 },
  ]) {
    it(`shows the Models table at ${s.width}x${s.height} without scrolling the page sideways`, async () => {
      const context = await signedInContext(browser, "viewer", { viewport: s });
      context.setDefaultTimeout(20_000);
      page = await context.newPage();
      try {
        await page.goto(url("/models"));
        const table = page.getByRole("table", { name: `Versions of ${MODEL}` });
        await table.waitFor();
        expect(await table.locator("tbody tr").count()).toBe(2);
        await table.getByRole("button", { name: "Make version 2 current" }).waitFor();
        // The input columns unfolded, as a user reading them would.
        for (const summary of await table.locator("summary").all()) await summary.click();
        const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
        const box = (await table.boundingBox())!;
        console.log(`/models at ${s.width}x${s.height}: page ${widths.scroll} px wide in a ${widths.inner} px window; table ${size(box)}`);
        await page.screenshot({ path: path.join(ARTIFACTS, `layout-models-${s.width}x${s.height}.png`), fullPage: true });
        expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
        // The table's box ends inside the window: what does not fit scrolls in that box.
        const scroller = (await page.getByRole("region", { name: `Versions of ${MODEL}, all columns` }).boundingBox())!;
        expect(scroller.x + scroller.width).toBeLessThanOrEqual(s.width);
      } finally {
        await context.close();
        page = undefined;
      }
    }, 60_000);
  }
});
