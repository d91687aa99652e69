// The CLI's way to the web app: tRPC over HTTP (and plain fetch for uploads), with every failure
// turned into one sentence a user can act on. Every request carries the API key
// (`Authorization: Bearer lw_...`). Only the router's *type* comes from server/: these commands
// never open the database or dial Temporal themselves (`admin create` and `connections rekey`,
// which run on the server machine, do, in cli/admin.ts).
import { TRPCClientError, createTRPCClient, httpLink } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import superjson from "superjson";
import { isAppError } from "../lib/errors";
import type { AppRouter } from "../server/api/root";
import { problemsText } from "../workflows/graph/problems";
import type { GraphProblem } from "../workflows/graph/validate";

export const DEFAULT_URL = "http://localhost:3000";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RunDetail = RouterOutputs["run"]["get"];
export type Api = ReturnType<typeof createApi>;

/** A failure with its message for the user (no stack) and the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Nothing answered at the URL (refused, unknown host, timed out, connection dropped). */
export class UnreachableError extends CliError {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`Cannot reach Loopwright at ${url} (${reason}). Start it with \`npm start\`, or set LOOPWRIGHT_URL to where it runs.`);
    this.name = "UnreachableError";
  }
}

/** Something answered, but not as Loopwright's API (another program on the port, a proxy error page). */
export class NotLoopwrightError extends CliError {
  constructor(
    readonly url: string,
    readonly status: number,
    what: string,
  ) {
    super(
      status === 404
        ? `${url} answered, but not as Loopwright (HTTP 404 for ${what}). Is LOOPWRIGHT_URL right?`
        : `${url} answered HTTP ${status} for ${what} instead of Loopwright's API${status >= 500 ? "; the server's log may say why" : ""}.`,
    );
    this.name = "NotLoopwrightError";
  }
}

/** Said when the app wants an API key and none was given. */
export const MISSING_KEY_MESSAGE = [
  "Loopwright needs an API key for this. Create one:",
  "  - in the app: Account > API keys",
  "  - with an admin's key: loopwright keys create --role editor",
  "  - on the server machine: loopwright admin create --email you@example.com --name \"Your Name\"",
  "then set LOOPWRIGHT_API_KEY to it (export LOOPWRIGHT_API_KEY=lw_...), or pass --api-key.",
].join("\n");

/** The app answered UNAUTHORIZED and the CLI sent no key. */
export class MissingKeyError extends CliError {
  constructor() {
    super(MISSING_KEY_MESSAGE);
    this.name = "MissingKeyError";
  }
}

let apiKey: string | undefined;

/**
 * The key every request sends from now on: --api-key, else LOOPWRIGHT_API_KEY (blank is none).
 * A value that cannot be a header (spaces, line breaks) is refused here rather than sent.
 */
export function useApiKey(key: string | undefined, from = "LOOPWRIGHT_API_KEY"): void {
  const k = key?.trim();
  if (k && !/^[\x21-\x7e]+$/.test(k)) throw new CliError(`${from} is not an API key: it holds spaces or other characters a key never has (keys look like lw_...)`);
  apiKey = k || undefined;
}

export function currentApiKey(): string | undefined {
  return apiKey;
}

/** The Authorization header for the current key, or nothing without one. */
export function authHeaders(): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

/**
 * A refusal of a plain (non-tRPC) request: 401 without a key says how to get one; 401 with a key
 * and 403 are the server's message (it names the revoked key or the role needed).
 */
export function refusal(status: number, message: string | undefined): CliError | undefined {
  if (status === 401 && !apiKey) return new MissingKeyError();
  if ((status === 401 || status === 403) && message) return new CliError(message);
  return undefined;
}

/** LOOPWRIGHT_URL (default http://localhost:3000) without a trailing slash; a path prefix is kept. */
export function loopwrightUrl(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.LOOPWRIGHT_URL?.trim() || DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`LOOPWRIGHT_URL is not a URL: "${raw}" (for example ${DEFAULT_URL})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError(`LOOPWRIGHT_URL must be an http:// or https:// URL, not "${raw}"`);
  return raw.replace(/\/+$/, "");
}

/** The causes of an error, outermost first (fetch hides the socket error in `cause`, sometimes in an AggregateError). */
function* causes(err: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  const queue = [err];
  while (queue.length) {
    const e = queue.shift();
    if (e === undefined || e === null || seen.has(e)) continue;
    seen.add(e);
    yield e;
    if (typeof e === "object") {
      queue.push((e as { cause?: unknown }).cause);
      if (e instanceof AggregateError) queue.push(...e.errors);
    }
  }
}

/** Why a request got no answer, in a few words; undefined when the error is not about the network. */
export function networkReason(err: unknown, timeoutMs?: number): string | undefined {
  for (const e of causes(err)) {
    if (!(e instanceof Error) && (typeof e !== "object" || e === null)) continue;
    const { name, code, hostname, message } = e as { name?: string; code?: string; hostname?: string; message?: string };
    if (name === "TimeoutError") return timeoutMs ? `no answer within ${Math.round(timeoutMs / 1000)} s` : "no answer in time";
    switch (code) {
      case "ECONNREFUSED":
        return "connection refused";
      case "ENOTFOUND":
      case "EAI_AGAIN":
      case "EAI_NONAME":
        return `host ${hostname ? `"${hostname}" ` : ""}not found`;
      case "ETIMEDOUT":
      case "UND_ERR_CONNECT_TIMEOUT":
        return "connection timed out";
      case "UND_ERR_HEADERS_TIMEOUT":
      case "UND_ERR_BODY_TIMEOUT":
        return "no answer in time";
      case "ECONNRESET":
      case "EPIPE":
      case "UND_ERR_SOCKET":
      case "UND_ERR_CLOSED":
        return "the connection was closed";
      case "EHOSTUNREACH":
      case "ENETUNREACH":
      case "EHOSTDOWN":
        return "host unreachable";
    }
    if (typeof code === "string" && /^(CERT_|ERR_TLS|ERR_SSL|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return `TLS: ${message ?? code}`;
  }
  // undici's "fetch failed" without a recognisable cause is still a network failure.
  const top = err instanceof TRPCClientError ? err.cause : err;
  if (top instanceof TypeError && top.message === "fetch failed") {
    const inner = (top.cause as Error | undefined)?.message;
    return inner || "the request failed";
  }
  return undefined;
}

/** fetch with a timeout, throwing UnreachableError when nothing answers. */
export async function send(base: string, input: string | URL | Request, init: RequestInit = {}, timeoutMs = 60_000): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  try {
    return await fetch(input, { ...init, signal });
  } catch (err) {
    const reason = networkReason(err, timeoutMs);
    if (reason) throw new UnreachableError(base, reason);
    throw err;
  }
}

/**
 * The typed client of the web app's router. `timeoutMs` bounds each request, body included.
 * Answers that are not JSON (a page of another program, a proxy's error page) become
 * NotLoopwrightError rather than a JSON parse error.
 */
export function createApi(base: string, opts: { timeoutMs?: number } = {}) {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const apiFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const res = await send(base, input, init, timeoutMs);
    const type = res.headers.get("content-type") ?? "";
    if (!type.includes("json")) {
      await res.body?.cancel().catch(() => {});
      throw new NotLoopwrightError(base, res.status, `${base}/api/trpc`);
    }
    return res;
  };
  return createTRPCClient<AppRouter>({
    // The app refuses state-changing requests that do not name it as their origin (CSRF).
    links: [httpLink({ url: `${base}/api/trpc`, transformer: superjson, fetch: apiFetch as typeof fetch, headers: () => ({ origin: new URL(base).origin, ...authHeaders() }) })],
  });
}

/** What the server put in a tRPC error (see the errorFormatter in server/api/trpc.ts). */
export interface ServerErrorData {
  code?: string;
  httpStatus?: number;
  problems?: GraphProblem[] | null;
  zodError?: { formErrors?: string[]; fieldErrors?: Record<string, string[] | undefined> } | null;
}

/** Our own CliError, wherever in the cause chain it is (the tRPC client wraps what fetch throws). */
export function findCliError(err: unknown): CliError | undefined {
  for (const e of causes(err)) if (e instanceof CliError) return e;
  return undefined;
}

export function serverData(err: unknown): ServerErrorData | undefined {
  return err instanceof TRPCClientError && err.data && typeof err.data === "object" ? (err.data as ServerErrorData) : undefined;
}

/**
 * True when a request may well succeed if tried again: no answer, an answer that is not the API
 * (a proxy while the app restarts), or a server-side failure (5xx). A NOT_FOUND or BAD_REQUEST is
 * the server's final word.
 */
export function isTransient(err: unknown): boolean {
  const own = findCliError(err);
  if (own) return own instanceof UnreachableError || own instanceof NotLoopwrightError;
  if (networkReason(err)) return true;
  const data = serverData(err);
  if (data) return (data.httpStatus ?? 500) >= 500;
  // A tRPC client error without data: a broken answer (cut-off JSON and the like).
  return err instanceof TRPCClientError;
}

/** One line for a transient failure, for the "connection lost" message. */
export function shortReason(err: unknown): string {
  const own = findCliError(err);
  if (own instanceof UnreachableError) return own.reason;
  if (own) return own.message;
  return networkReason(err) ?? (err instanceof Error ? err.message : String(err));
}

/** The sentence (and exit code) for any failure of a command; a stack only for what must be a bug. */
export function explain(err: unknown, base: string): { message: string; exitCode: number } {
  const own = findCliError(err);
  if (own) return { message: own.message, exitCode: own.exitCode };
  const reason = networkReason(err);
  if (reason) return { message: new UnreachableError(base, reason).message, exitCode: 1 };
  if (err instanceof TRPCClientError) {
    const data = serverData(err);
    // Without a key: how to get one. With one (unknown, revoked) or a role too low (FORBIDDEN):
    // the server's message says which key or which role.
    if (data?.code === "UNAUTHORIZED" && !apiKey) return { message: MISSING_KEY_MESSAGE, exitCode: 1 };
    if (data?.problems?.length) return { message: problemsText(data.problems), exitCode: 2 };
    const fields = Object.entries(data?.zodError?.fieldErrors ?? {}).flatMap(([field, msgs]) => (msgs ?? []).map((m) => `  - ${field}: ${m}`));
    const form = (data?.zodError?.formErrors ?? []).map((m) => `  - ${m}`);
    if (fields.length || form.length) return { message: `Loopwright refused the request:\n${[...form, ...fields].join("\n")}`, exitCode: 1 };
    return { message: err.message, exitCode: 1 };
  }
  // The server's own errors, met by the commands that open the store directly (admin create, rekey).
  if (isAppError(err)) return { message: err.message, exitCode: 1 };
  // (Some libraries' errors have an empty stack, or one without the message.)
  if (err instanceof Error) return { message: err.stack?.includes(err.message) ? err.stack : `${err.name}: ${err.message}\n${err.stack ?? ""}`.trim(), exitCode: 1 };
  return { message: String(err), exitCode: 1 };
}
