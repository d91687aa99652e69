// The one outbound HTTP client every node uses. It refuses to reach the machine itself, private
// networks and cloud metadata services (SSRF), however the address is written:
//  - the URL is parsed the WHATWG way, so 2852039166, 0xa9fea9fe, 0251.0376.0251.0376 and 169.254.43518
//    all become 169.254.169.254 before any check, and [::ffff:a9fe:a9fe] is unwrapped to its IPv4;
//  - a host name is resolved (every address) and refused when ANY address is refused;
//  - the connection goes to exactly the addresses that were checked (a pinned `lookup`), so a DNS
//    answer that changes between check and connect (rebinding) cannot slip through;
//  - redirects are followed by hand and every hop is checked again; only http and https;
//  - the body is counted while it streams (after decompression), never trusted by Content-Length.
// Admins permit specific hosts with LOOPWRIGHT_HTTP_ALLOW (comma-separated `host`, `ip` or
// `host:port`); a caller may pass `allowHosts` too. Cloud metadata is only ever permitted by the
// admin's list, never by a caller's.
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { pipeline } from "node:stream";
import zlib from "node:zlib";
import { ConfigError, DataError } from "../nodes/sdk/errors";
import { ResponseTooLargeError, TooManyRedirectsError, networkError, type Failing } from "./http-errors";
import { check, envAllowList, parseAllowList, pinnedLookup, type Env, type Target } from "./http-url-check";
import { SECRET_NAME, redactUrl } from "../nodes/sdk/redact";
export { addressVerdict, canonicalHost, type AddressVerdict } from "./ip-address";
export { BlockedAddressError, ResponseTooLargeError, TooManyRedirectsError } from "./http-errors";
export { ALLOW_ENV, parseAllowList, type Env } from "./http-url-check";

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface GuardOptions {
  /**
   * Hosts this call may reach even if they are private: `host`, `ip`, `host:port`, `[v6]:port`.
   * For trusted callers only: nodes never pass what a flow says here (a flow must not open the
   * server's own network); they rely on the admin's LOOPWRIGHT_HTTP_ALLOW.
   */
  allowHosts?: string[];
  /** Headers dropped when a redirect leaves the origin, besides those named like credentials. */
  sensitiveHeaders?: string[];
  /** Redirects to follow (each one re-checked); more is an error. Default 5. */
  maxRedirects?: number;
  /** For the whole call: every hop, and reading the body. Default 30 s. */
  timeoutMs?: number;
  /** Largest body (decompressed) the caller may read. Default 50 MB. */
  maxBytes?: number;
}

export type GuardedRequestInit = Omit<RequestInit, "body" | "redirect" | "window"> &
  GuardOptions & { body?: string | Uint8Array | URLSearchParams | null };

// ---------------------------------------------------------------------------------------------
// Secrets in URLs and headers

export { SECRET_NAME, redactUrl };

/** Headers as they may be logged: secret-looking values replaced. */
export function redactHeaders(headers: Iterable<[string, string]> | Array<{ name: string; value: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers as Iterable<[string, string] | { name: string; value: string }>) {
    const [name, value] = Array.isArray(h) ? h : [h.name, h.value];
    out[name] = SECRET_NAME.test(name) ? "REDACTED" : value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The request

function bodyBytes(body: GuardedRequestInit["body"]): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function send(t: Target, method: string, headers: Headers, body: Buffer | undefined, signal: AbortSignal): Promise<IncomingMessage> {
  const outgoing: Record<string, string> = {};
  headers.forEach((v, k) => {
    if (k !== "host") outgoing[k] = v;
  });
  if (body && !headers.has("content-length")) outgoing["content-length"] = String(body.length);
  const auth = t.url.username || t.url.password ? `${decodeURIComponent(t.url.username)}:${decodeURIComponent(t.url.password)}` : undefined;
  const mod = t.url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      protocol: t.url.protocol,
      hostname: t.host,
      port: t.port,
      path: `${t.url.pathname}${t.url.search}`,
      method,
      headers: outgoing,
      ...(auth && !headers.has("authorization") ? { auth } : {}),
      lookup: pinnedLookup(t.addresses),
      // A fresh connection per request: a pooled socket could have been opened by unguarded code.
      agent: false,
      signal,
    });
    req.once("response", (res: IncomingMessage) => {
      // Defensive: an error before the caller reads the body must never be an unhandled
      // 'error' event; it stays on the stream (res.errored) and surfaces when the body is read.
      res.on("error", () => {});
      resolve(res);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([204, 205, 304]);

function decoderFor(encoding: string | undefined): NodeJS.ReadWriteStream | undefined {
  switch ((encoding ?? "").trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip();
    case "deflate":
      return zlib.createInflate();
    case "br":
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}

function toResponse(res: IncomingMessage, url: URL, method: string, redirected: boolean, maxBytes: number, fail: Failing, done: () => void): Response {
  const status = res.statusCode ?? 0;
  const shown = redactUrl(url);
  if (status < 200 || status > 599) {
    res.destroy();
    done();
    throw new DataError(`${shown} answered with HTTP status ${status}`, { where: "url" });
  }
  const decoder = decoderFor(res.headers["content-encoding"]);
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    done();
    throw new ResponseTooLargeError(shown, maxBytes);
  }
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    try {
      headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    } catch {
      // A header the Headers class will not hold: left out.
    }
  }
  let body: ReadableStream<Uint8Array> | null = null;
  if (method === "HEAD" || NULL_BODY.has(status)) {
    res.resume();
    res.once("end", done);
    res.once("close", done);
  } else {
    if (decoder) {
      headers.delete("content-encoding");
      headers.delete("content-length");
    }
    const source: AsyncIterable<Buffer> = decoder ? (pipeline(res, decoder, () => {}) as unknown as AsyncIterable<Buffer>) : res;
    async function* counted(): AsyncGenerator<Buffer> {
      let n = 0;
      try {
        for await (const chunk of source) {
          n += chunk.length;
          if (n > maxBytes) throw new ResponseTooLargeError(shown, maxBytes);
          yield chunk;
        }
      } catch (err) {
        if (err instanceof ResponseTooLargeError) throw err;
        if (/^(Z_|ERR__ERROR|ERR_BROTLI)/.test((err as NodeJS.ErrnoException)?.code ?? "")) {
          throw new DataError(`The response from ${shown} is not valid ${res.headers["content-encoding"]} data`, { where: "url", cause: err });
        }
        throw networkError(err, fail);
      } finally {
        res.destroy();
        done();
      }
    }
    const it = counted();
    body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done: end } = await it.next();
        if (end) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      async cancel() {
        await it.return(undefined);
      },
    });
  }
  const response = new Response(body, { status, statusText: res.statusMessage ?? "", headers });
  Object.defineProperty(response, "url", { value: url.toString() });
  Object.defineProperty(response, "redirected", { value: redirected });
  return response;
}

/**
 * fetch(), but refusing private, loopback, link-local and metadata addresses on every hop (see
 * the top of this file). Rejects with BlockedAddressError (a ConfigError), ResponseTooLargeError
 * and TooManyRedirectsError (DataErrors), NotFoundError for an unknown host, TransientError for
 * network trouble and timeouts, or the caller's abort reason. Never puts a response body in an
 * error message.
 */
export async function guardedFetch(input: string | URL, init: GuardedRequestInit = {}, env: Env = process.env): Promise<Response> {
  const {
    allowHosts = [],
    sensitiveHeaders = [],
    maxRedirects = DEFAULT_MAX_REDIRECTS,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    maxBytes = DEFAULT_MAX_BYTES,
    signal: userSignal,
    method: rawMethod,
    headers: rawHeaders,
    body: rawBody,
  } = init;
  let url: URL;
  try {
    url = new URL(String(input));
  } catch (err) {
    throw new ConfigError(`Not a valid URL: ${redactUrl(String(input))}`, { field: "url", cause: err });
  }
  const allow = [...parseAllowList(allowHosts, false), ...envAllowList(env)];
  const sensitive = new Set(sensitiveHeaders.map((h) => h.toLowerCase()));
  let method = (rawMethod ?? "GET").toUpperCase();
  const headers = new Headers(rawHeaders);
  let body = bodyBytes(rawBody);
  if (!headers.has("accept-encoding")) headers.set("accept-encoding", "gzip, deflate, br");
  if (!headers.has("user-agent")) headers.set("user-agent", "Loopwright");

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  timer.unref?.();
  const done = () => clearTimeout(timer);
  const signal = userSignal ? AbortSignal.any([userSignal, timeout.signal]) : timeout.signal;
  const fail: Failing = { url, userSignal: userSignal ?? undefined, timedOut: () => timeout.signal.aborted, timeoutMs };

  let redirects = 0;
  let what = redactUrl(url);
  try {
    for (;;) {
      fail.url = url;
      if (signal.aborted) throw signal.reason;
      const target = await check(url, allow, what, signal);
      const res = await send(target, method, headers, body, signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (!REDIRECTS.has(status) || !location) return toResponse(res, url, method, redirects > 0, maxBytes, fail, done);

      res.destroy();
      if (++redirects > maxRedirects) throw new TooManyRedirectsError(redactUrl(url), maxRedirects);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch (err) {
        throw new DataError(`${redactUrl(url)} redirected to an invalid URL`, { where: "url", cause: err });
      }
      if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
        for (const h of ["content-type", "content-length", "content-encoding", "content-language", "content-location"]) headers.delete(h);
      }
      if (next.origin !== url.origin) {
        // Credentials meant for one origin never travel to another.
        for (const name of [...headers.keys()]) if (SECRET_NAME.test(name) || sensitive.has(name)) headers.delete(name);
      }
      what = `the redirect from ${redactUrl(url)} to ${redactUrl(next)}`;
      url = next;
    }
  } catch (err) {
    done();
    throw networkError(err, fail);
  }
}
