// Security headers on every response of the production build (pages, the API, static files, a
// 404), and pages that still work in Chromium under that Content-Security-Policy.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../lib/browser";
import { authHeaders, sessionCookie } from "./support";
import { signedInContext } from "./support-browser";

const url = (p: string) => `${inject("webUrl")}${p}`;

/** The policy of a production build, directive by directive (no 'unsafe-eval', no ws:). */
const POLICY: Record<string, string[]> = {
  "default-src": ["'self'"],
  "script-src": ["'self'", "'unsafe-inline'"],
  "style-src": ["'self'", "'unsafe-inline'"],
  "img-src": ["'self'", "data:", "blob:"],
  "font-src": ["'self'", "data:"],
  "connect-src": ["'self'"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
};

const HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "cross-origin-opener-policy": "same-origin",
  "x-frame-options": "DENY",
};

function directives(csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of csp.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(out, `${name} appears twice`).not.toHaveProperty(name!);
    out[name!.toLowerCase()] = sources;
  }
  return out;
}

function expectSecurityHeaders(res: Response, what: string) {
  const csp = res.headers.get("content-security-policy");
  expect(csp, `${what}: Content-Security-Policy`).not.toBeNull();
  expect(directives(csp!), what).toEqual(POLICY);
  for (const [name, value] of Object.entries(HEADERS)) expect(res.headers.get(name), `${what}: ${name}`).toBe(value);
  expect(res.headers.get("x-powered-by"), `${what}: X-Powered-By`).toBeNull();
}

const flowName = `Headers test ${Date.now().toString(36)}`;
let flowId: string;
let created: Response;

beforeAll(async () => {
  const res = (created = await fetch(url("/api/trpc/flow.create"), {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders() },
    body: JSON.stringify({ json: { name: flowName } }),
  }));
  const body = (await res.json()) as { result?: { data?: { json?: { flowId?: string } } } };
  expect(res.status, JSON.stringify(body)).toBe(200);
  flowId = body.result!.data!.json!.flowId!;
  expect(flowId).toEqual(expect.any(String));
});

describe("security headers", () => {
  it.each(["/", "/flows", "/api/trpc/health.status"])("on GET %s", async (path) => {
    const res = await fetch(url(path), { redirect: "manual", headers: { cookie: await sessionCookie() } });
    expect(res.status).toBe(200);
    expectSecurityHeaders(res, `GET ${path}`);
  });

  it("on a POST to the API", () => {
    expectSecurityHeaders(created, "POST /api/trpc/flow.create");
  });

  it("on the editor, a missing page and the static files a page loads", async () => {
    const cookie = { headers: { cookie: await sessionCookie() } };
    const editor = await fetch(url(`/flows/${encodeURIComponent(flowId)}`), cookie);
    expect(editor.status).toBe(200);
    expectSecurityHeaders(editor, "the editor");
    const missing = await fetch(url("/no-such-page"), cookie);
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing, "a 404");
    const html = await (await fetch(url("/flows"), cookie)).text();
    const script = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, "a script under /_next/static in /flows").toBeDefined();
    const asset = await fetch(url(script!));
    expect(asset.status).toBe(200);
    expectSecurityHeaders(asset, script!);
  });
});

describe("pages under the Content-Security-Policy in Chromium", () => {
  let browser: Browser;
  let page: Page;
  /** CSP violations (as Chromium logs them, and as the page's events report them) and uncaught exceptions. */
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    const context = await signedInContext(browser, "editor", { viewport: { width: 1600, height: 1000 } });
    context.setDefaultTimeout(20_000);
    // Violations are also events, whether or not the browser logs them.
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    page = await context.newPage();
    page.on("console", (m) => {
      if (/Refused to|Content Security Policy|CSP violation/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("shows the flows and filters them", async () => {
    problems.length = 0;
    const res = await page.goto(url("/flows"));
    expect(res?.headers()["content-security-policy"] ?? "").toContain("frame-ancestors 'none'");
    await page.getByText(flowName).first().waitFor();
    // Filtering is done by React in the page: it only works once the page's scripts ran.
    await page.getByLabel("Search flows").fill("no flow is called this");
    await page.getByText(flowName).first().waitFor({ state: "hidden" });
    await page.getByLabel("Search flows").fill(flowName);
    await page.getByText(flowName).first().waitFor();
    expect(problems).toEqual([]);
  });

  it("opens the editor and adds a node to the canvas", async () => {
    problems.length = 0;
    await page.goto(url(`/flows/${encodeURIComponent(flowId)}`));
    await page.locator(".react-flow").waitFor();
    await page.locator(".react-flow__pane").waitFor();
    expect(await page.locator(".react-flow__node").count()).toBe(0);
    // A click on a palette entry adds the node (client-side state, not saved).
    await page.getByRole("complementary", { name: "Node palette" }).locator('button[data-ref="source.csv-file@1"]').click();
    await page.locator(".react-flow__node").first().waitFor();
    expect(await page.locator(".react-flow__node").count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it.each([
    ["/", "Start from a question"],
    ["/runs", "Runs"],
    ["/datasets", "Datasets"],
    ["/models", "Models"],
  ])("loads %s without a violation", async (path, heading) => {
    problems.length = 0;
    await page.goto(url(path));
    await page.getByRole("heading", { name: heading }).first().waitFor();
    await page.waitForLoadState("load");
    expect(problems).toEqual([]);
  });
});
