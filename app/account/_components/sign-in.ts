// Signing in and out from the browser, through better-auth's endpoints (/api/auth/...). The
// answers become sentences a marketer can act on: a wrong password, too many attempts (and how long
// to wait), a server that cannot be reached.

export type SignInResult = { ok: true } | { ok: false; message: string };

const UNREACHABLE = "Could not reach the Loopwright server. Check your connection, or ask whoever runs Loopwright whether it is up.";

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

async function messageOf(res: Response): Promise<string | null> {
  try {
    const body = (await res.json()) as { message?: unknown; error?: unknown };
    const m = body.message ?? body.error;
    return typeof m === "string" && m ? m : null;
  } catch {
    return null;
  }
}

export async function signIn(email: string, password: string): Promise<SignInResult> {
  let res: Response;
  try {
    res = await fetch("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: email.trim(), password }),
    });
  } catch {
    return { ok: false, message: UNREACHABLE };
  }
  if (res.ok) return { ok: true };
  if (res.status === 401) return { ok: false, message: "The e-mail address or the password is not right. Check both and try again." };
  if (res.status === 429) {
    const after = Number(res.headers.get("retry-after") ?? res.headers.get("x-retry-after"));
    const wait = Number.isFinite(after) && after > 0 ? `Wait ${waitText(Math.ceil(after))}, then try again.` : "Wait a few minutes, then try again.";
    return { ok: false, message: `Too many sign-in attempts. ${wait}` };
  }
  if (res.status === 400) {
    const m = await messageOf(res);
    return { ok: false, message: !m || /invalid email/i.test(m) ? "That does not look like an e-mail address. Check it and try again." : m };
  }
  if (res.status === 403 || res.status === 421) return { ok: false, message: (await messageOf(res)) ?? "The server refused this sign-in." };
  if (res.status >= 500) return { ok: false, message: "The server had a problem signing you in. Try again in a moment; if it keeps happening, ask whoever runs Loopwright to look at its log." };
  return { ok: false, message: (await messageOf(res)) ?? `Signing in failed (HTTP ${res.status}).` };
}

/** Ends this browser's session; true when the server confirmed it. */
export async function signOut(): Promise<boolean> {
  try {
    const res = await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    return res.ok;
  } catch {
    return false;
  }
}
