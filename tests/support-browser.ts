// Browser contexts signed in as a test account, the way a user signs in (the sign-in endpoint
// sets the session cookie in the context); the two screen sizes the browser tests run at and
// their screenshots; and the start most editor tests share: upload, new flow, drop a CSV source.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, BrowserContextOptions, Cookie, Page } from "playwright-core";
import { expect, inject, type TestContext } from "vitest";
import { projectRoot } from "../lib/paths";
import type { Role } from "../lib/roles";
import { account } from "./support";

export const ARTIFACTS = path.join(projectRoot, "test-artifacts");

/** The screen sizes of issue 15's acceptance: a laptop and a desktop monitor. */
export const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;
export type Viewport = (typeof VIEWPORTS)[number];
export const sizeName = (v: Viewport) => `${v.width}x${v.height}`;

/** Takes test-artifacts/<test>-<width>x<height>-<step>.png for a person to look at. */
export function stepShots(page: () => Page, test: string, viewport: Viewport) {
  return (step: string) => page().screenshot({ path: path.join(ARTIFACTS, `${test}-${sizeName(viewport)}-${step}.png`) });
}

export async function signedInContext(browser: Browser, role: Role, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await signIn(context, role);
  return context;
}

/**
 * The session cookies of each role, signed in once per test file: sign-in is rate limited per
 * address (server/auth.ts), and every browser test of the suite comes from 127.0.0.1.
 */
const sessions = new Map<Role, Cookie[]>();

export async function signIn(context: BrowserContext, role: Role): Promise<void> {
  const base = inject("webUrl");
  const cached = sessions.get(role);
  if (cached) {
    await context.addCookies(cached);
    // Still a session? (A test that signed out ended it.)
    const res = await context.request.get(`${base}/api/auth/get-session`);
    if (res.ok() && (await res.json())?.session) return;
    await context.clearCookies();
    sessions.delete(role);
  }
  const { email, password } = account(role);
  for (let attempt = 1; ; attempt++) {
    const res = await context.request.post(`${base}/api/auth/sign-in/email`, { data: { email, password }, headers: { origin: base } });
    // Other test files signing in at the same moment may meet the limit: wait as the server says.
    if (res.status() === 429 && attempt < 5) {
      const wait = Number(res.headers()["x-retry-after"] ?? 10);
      await new Promise((r) => setTimeout(r, (Number.isFinite(wait) ? Math.min(wait, 60) : 10) * 1000 + 250));
      continue;
    }
    expect(res.status(), await res.text()).toBe(200);
    break;
  }
  sessions.set(role, await context.cookies());
}

/** A CSV file's rows as arrays of cells (quotes undone), without the BOM the app writes first. */
export function parseCsv(text: string): string[][] {
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(cell), (cell = "");
    else if (ch === "\n") row.push(cell), rows.push(row), (row = []), (cell = "");
    else cell += ch;
  }
  return rows;
}

/** Downloads from the data preview's Download menu: the rows as shown or the whole dataset (null: no choice offered). */
export async function downloadPreview(page: Page, which: "As shown" | "Whole dataset" | null, format: "CSV" | "Parquet") {
  await page.getByRole("button", { name: "Download", exact: true }).click();
  const menu = page.getByRole("group", { name: "Download" });
  if (which) await menu.getByLabel(which).check();
  const [file] = await Promise.all([page.waitForEvent("download"), menu.getByRole("link", { name: format, exact: true }).click()]);
  return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, "utf8") };
}

/**
 * How most editor tests start, the way a user does it: upload `file` on the Datasets page, make a
 * new flow called `flowName` on the Flows page (it opens at /flows/<flowId>), drop a CSV source on
 * the empty canvas at `at` and, unless `pickFile` is false, select the node and pick the upload in
 * its File field (the node then has no problems). The CSV node's id is "csv-file-1".
 */
export async function newFlowWithUpload(
  page: Page,
  opts: { file: string | { name: string; mimeType: string; buffer: Buffer }; flowName: string; flowId: string; at: { x: number; y: number }; pickFile?: boolean },
): Promise<{ fileName: string; uploaded: string }> {
  const url = (p: string) => `${inject("webUrl")}${p}`;
  const fileName = typeof opts.file === "string" ? path.basename(opts.file) : opts.file.name;
  await page.goto(url("/datasets"));
  await page.getByLabel("Choose a file to upload").setInputFiles(opts.file);
  // The progress bar shows the name while sending; leaving then would abort the upload.
  const uploaded = page.getByRole("status").getByText(`Uploaded ${fileName}:`);
  await uploaded.waitFor({ timeout: 60_000 });
  const said = await uploaded.innerText();

  await page.goto(url("/flows"));
  await page.getByRole("button", { name: "New flow" }).first().click();
  await page.getByLabel("Flow name").fill(opts.flowName);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await page.waitForURL(url(`/flows/${opts.flowId}`));
  await page.getByText("Drag a source here to start").waitFor();

  await page.locator('[data-ref="source.csv-file@1"]').dragTo(page.locator(".react-flow"), { targetPosition: opts.at });
  const node = page.getByTestId("node-csv-file-1");
  await node.waitFor();
  if (opts.pickFile !== false) {
    await node.locator("div").first().click({ position: { x: 12, y: 10 } });
    const field = page.getByRole("complementary", { name: "Node settings" }).getByLabel("File", { exact: true });
    await field.selectOption((await field.locator("option", { hasText: fileName }).first().getAttribute("value"))!);
    await page.getByRole("button", { name: /problem/ }).waitFor({ state: "detached" });
  }
  return { fileName, uploaded: said };
}

/** A screenshot of what the browser showed when a test failed, next to the other screenshots (call in a beforeEach). */
export function shotWhenFailed(ctx: TestContext, page: () => Page | undefined, prefix = "") {
  ctx.onTestFailed(async () => {
    await page()?.screenshot({ path: path.join(ARTIFACTS, `failed-${prefix}${ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.png`) }).catch(() => undefined);
  });
}
