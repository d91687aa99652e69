// Browser contexts signed in as a test account, the way a user signs in (the sign-in endpoint
// sets the session cookie in the context).
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { expect, inject } from "vitest";
import type { Role } from "../lib/roles";
import { account } from "./support";

export async function signedInContext(browser: Browser, role: Role, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await signIn(context, role);
  return context;
}

export async function signIn(context: BrowserContext, role: Role): Promise<void> {
  const base = inject("webUrl");
  const { email, password } = account(role);
  const res = await context.request.post(`${base}/api/auth/sign-in/email`, { data: { email, password }, headers: { origin: base } });
  expect(res.status(), await res.text()).toBe(200);
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
