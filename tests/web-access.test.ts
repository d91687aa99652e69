// Issue 11's acceptance, in Chromium against the production build: the owner signs in, invites an
// editor and a viewer, creates an SMTP and a PostgreSQL connection; the editor builds and runs a
// flow that reads through the PostgreSQL connection without ever receiving its password (every
// response the editor's browser gets is checked); the viewer cannot run it; the audit log shows
// every step.
import { mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../lib/browser";
import { projectRoot } from "../lib/paths";
import { startPostgres, type PostgresTestServer } from "../lib/postgres-test-server";
import { account } from "./support";

const ARTIFACTS = path.join(projectRoot, "test-artifacts");
const url = (p: string) => `${inject("webUrl")}${p}`;
const stamp = Date.now().toString(36);
const editorEmail = `edna-${stamp}@example.com`;
const viewerEmail = `vera-${stamp}@example.com`;
const SMTP_PASSWORD = `smtp-secret-${stamp}`;

let browser: Browser;
let db: PostgresTestServer;
const contexts: BrowserContext[] = [];

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  context.setDefaultTimeout(30_000);
  contexts.push(context);
  return context.newPage();
}

/** Every response body a page receives, for checking that a secret never reaches the browser. */
function recordResponses(page: Page): string[] {
  const bodies: string[] = [];
  page.on("response", async (res) => {
    try {
      bodies.push(`${res.url()}\n${JSON.stringify(await res.allHeaders())}\n${await res.text()}`);
    } catch {
      // Redirects and aborted requests have no body.
    }
  });
  return bodies;
}

async function signUpWith(page: Page, inviteLink: string, name: string, email: string) {
  await page.goto(inviteLink);
  await page.getByLabel("Name", { exact: true }).fill(name);
  const emailField = page.getByLabel("E-mail", { exact: true });
  expect(await emailField.inputValue()).toBe(email);
  await page.getByLabel("Password", { exact: true }).fill(`${name} has a long password`);
  await page.getByLabel("Repeat password", { exact: true }).fill(`${name} has a long password`);
  await page.getByRole("button", { name: "Create my account" }).click();
  await page.waitForURL(url("/"));
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  db = await startPostgres();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query("CREATE TABLE customers (id int PRIMARY KEY, email text, plan text)");
  await client.query("INSERT INTO customers VALUES (1, 'a@example.com', 'basic'), (2, 'b@example.com', 'pro'), (3, 'c@example.com', 'pro')");
  await client.end();
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await db?.stop();
});

describe("users, roles and connections in the browser", () => {
  it("owner invites, connects, the editor runs with the connection, the viewer cannot, and the audit log shows it all", async () => {
    // The owner signs in.
    const owner = await newPage();
    await owner.goto(url("/flows"));
    await owner.waitForURL(/\/login\?next=/);
    await owner.getByLabel("E-mail", { exact: true }).fill(account("admin").email);
    await owner.getByLabel("Password", { exact: true }).fill(account("admin").password);
    await owner.getByRole("button", { name: "Sign in" }).click();
    await owner.waitForURL(url("/flows"));

    // Invites for an editor and a viewer.
    const invite = async (email: string, role: string) => {
      await owner.goto(url("/admin/users"));
      await owner.getByLabel("E-mail (optional)").fill(email);
      await owner.getByLabel("Role", { exact: true }).selectOption(role);
      await owner.getByRole("button", { name: "Create invite" }).click();
      const link = owner.getByLabel("Invite link");
      await link.waitFor();
      return link.inputValue();
    };
    const editorLink = await invite(editorEmail, "editor");
    const viewerLink = await invite(viewerEmail, "viewer");
    expect(editorLink).toMatch(/\/invite\/[\w-]{20,}$/);

    // An SMTP and a PostgreSQL connection.
    const newConnection = async (kind: string, name: string, fields: [string, string][]) => {
      await owner.goto(url("/connections"));
      await owner.getByRole("button", { name: "New connection" }).click();
      await owner.getByLabel("Kind", { exact: true }).selectOption(kind);
      await owner.getByLabel("Name", { exact: true }).fill(name);
      for (const [label, value] of fields) await owner.getByLabel(label, { exact: true }).fill(value);
      await owner.getByRole("button", { name: "Save connection" }).click();
      await owner.getByRole("row", { name: new RegExp(name) }).waitFor();
    };
    await newConnection("smtp", `mail-${stamp}`, [["Host", "smtp.example.com"], ["Port", "587"], ["User", "mailer"], ["Password", SMTP_PASSWORD], ["Sender", "news@example.com"]]);
    await newConnection("postgres", `warehouse-${stamp}`, [["Host", db.host], ["Port", String(db.port)], ["Database", db.database], ["User", db.user], ["Password", db.password]]);
    const row = owner.getByRole("row", { name: new RegExp(`warehouse-${stamp}`) });
    await row.getByRole("button", { name: "Test connection" }).click();
    await row.getByText("Connected", { exact: true }).waitFor();
    await owner.screenshot({ path: path.join(ARTIFACTS, "connections-page.png"), fullPage: true });

    // The editor accepts the invite, builds a flow on the PostgreSQL connection and runs it.
    const editor = await newPage();
    const seenByEditor = recordResponses(editor);
    await signUpWith(editor, editorLink, "Edna", editorEmail);
    await editor.goto(url("/flows"));
    await editor.getByRole("button", { name: "New flow" }).first().click();
    await editor.getByLabel("Flow name").fill(`Warehouse ${stamp}`);
    await editor.getByRole("button", { name: "Create", exact: true }).click();
    await editor.waitForURL(/\/flows\/[a-z0-9-]+$/);
    const flowUrl = editor.url();
    await editor.locator('[data-ref^="source.sql-query@"]').dragTo(editor.locator(".react-flow"), { targetPosition: { x: 300, y: 220 } });
    const node = editor.getByTestId("node-sql-query-1");
    await node.waitFor();
    await node.locator("div").first().click({ position: { x: 12, y: 10 } });
    const settings = editor.getByRole("complementary", { name: "Node settings" });
    await settings.getByLabel("Engine", { exact: true }).selectOption("postgres");
    const connection = settings.getByLabel("Connection", { exact: true });
    await connection.locator("option", { hasText: `warehouse-${stamp}` }).waitFor({ state: "attached" });
    expect(await connection.locator("option", { hasText: `mail-${stamp}` }).count()).toBe(0); // SMTP is not a database
    await connection.selectOption(`warehouse-${stamp}`);
    await settings.getByLabel("Query", { exact: true }).fill("SELECT id, email, plan FROM customers WHERE plan = 'pro' ORDER BY id");
    await editor.getByRole("button", { name: "Save", exact: true }).click();
    await editor.getByRole("status").getByText(/Saved as version \d+/).waitFor();
    await editor.getByRole("button", { name: "Run", exact: true }).click();
    await editor.locator('[data-testid="node-status-sql-query-1"][data-status="succeeded"]').waitFor({ timeout: 120_000 });
    await node.locator("div").first().click({ position: { x: 12, y: 10 } });
    const output = editor.getByRole("table", { name: "Output of SQL query" });
    await output.getByText("b@example.com").waitFor();
    await output.getByText("c@example.com").waitFor();
    await editor.screenshot({ path: path.join(ARTIFACTS, "editor-with-connection.png") });
    // Neither password ever reached the editor's browser, in any response.
    expect(seenByEditor.length).toBeGreaterThan(10);
    for (const body of seenByEditor) {
      expect(body).not.toContain(db.password);
      expect(body).not.toContain(SMTP_PASSWORD);
    }

    // The viewer sees the flow, cannot run it, and the server refuses if asked directly.
    const viewer = await newPage();
    await signUpWith(viewer, viewerLink, "Vera", viewerEmail);
    await viewer.goto(flowUrl);
    await viewer.getByTestId("node-sql-query-1").waitFor();
    await expect.poll(() => viewer.getByRole("button", { name: "Run", exact: true }).isDisabled(), { timeout: 15_000 }).toBe(true);
    await viewer.screenshot({ path: path.join(ARTIFACTS, "viewer-editor.png") });
    const flowId = flowUrl.split("/").pop()!;
    const refused = await viewer.request.post(url("/api/trpc/run.start"), { data: { json: { flowId } }, headers: { origin: inject("webUrl") } });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain(`${viewerEmail} is a viewer; use run.start needs the editor role`);

    // The audit log shows every step.
    await owner.goto(url("/admin/audit"));
    const log = owner.getByRole("main");
    for (const [actor, action] of [
      [account("admin").email, "invite.create"],
      ["system", "user.create"],
      [account("admin").email, "connection.create"],
      [account("admin").email, "connection.test"],
      [editorEmail, "flow.save"],
      [editorEmail, "run.start"],
    ]) {
      await log.getByRole("row", { name: new RegExp(`${actor!.replace(/[.@]/g, "\\$&")}.*${action!.replace(".", "\\.")}`) }).first().waitFor();
    }
    await log.getByText("connection.use").first().waitFor();
    await owner.screenshot({ path: path.join(ARTIFACTS, "audit-log.png"), fullPage: true });
    const csv = await owner.request.get(url("/api/audit.csv"));
    expect(csv.status()).toBe(200);
    const text = await csv.text();
    for (const action of ["auth.sign-in", "invite.create", "user.create", "connection.create", "connection.test", "connection.use", "flow.save", "run.start"]) expect(text).toContain(action);
    expect(text).not.toContain(db.password);
  }, 600_000);
});
