// Browser contexts signed in as a test account, the way a user signs in (the sign-in endpoint
// sets the session cookie in the context).
import type { Browser, BrowserContext, BrowserContextOptions } from "playwright-core";
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
