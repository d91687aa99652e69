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
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import net from "node:net";
import { pipeline } from "node:stream";
import zlib from "node:zlib";
import { ConfigError, DataError, NodeError, NotFoundError, TransientError } from "../nodes/sdk/errors";
import { METADATA_NAMES, addressVerdict, canonicalHost } from "./ip-address";
import { SECRET_NAME, redactUrl } from "../nodes/sdk/redact";
export { addressVerdict, canonicalHost, type AddressVerdict } from "./ip-address";

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const ALLOW_ENV = "LOOPWRIGHT_HTTP_ALLOW";

/** Where LOOPWRIGHT_HTTP_ALLOW is read from (process.env unless a caller passes another). */
export type Env = Readonly<Record<string, string | undefined>>;

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

/** A host or address the guard will not connect to. Never retried; `where` is "url". */
export class BlockedAddressError extends ConfigError {
  readonly host: string;
  readonly address?: string;
  readonly reason: string;
  constructor(message: string, d: { host: string; address?: string; reason: string }) {
    super(message, { field: "url" });
    this.host = d.host;
    this.address = d.address;
    this.reason = d.reason;
  }
}

/** The body was larger than `maxBytes`. */
export class ResponseTooLargeError extends DataError {
  readonly maxBytes: number;
  constructor(url: string, maxBytes: number) {
    super(`The response from ${url} is larger than ${formatBytes(maxBytes)}`, { where: "url" });
    this.maxBytes = maxBytes;
  }
}

/** More redirects than `maxRedirects`. */
export class TooManyRedirectsError extends DataError {
  constructor(url: string, max: number) {
    super(`${url} redirected more than ${max} times`, { where: "url" });
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

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
// Allow-list

interface AllowEntry {
  host: string;
  port?: number;
  /** From the admin's LOOPWRIGHT_HTTP_ALLOW (only these may permit cloud metadata). */
  admin: boolean;
}

/** Parses `host`, `host:port`, `ip`, `[v6]`, `[v6]:port` and bare IPv6 entries; blanks are skipped. */
export function parseAllowList(entries: Iterable<string>, admin = false): AllowEntry[] {
  const out: AllowEntry[] = [];
  for (const raw of entries) {
    const e = raw.trim();
    if (!e) continue;
    let host = e;
    let port: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(e);
    if (bracketed) [, host, port] = bracketed as unknown as [string, string, string | undefined];
    else if (e.split(":").length === 2) [host, port] = e.split(":") as [string, string];
    if (port !== undefined && !/^\d{1,5}$/.test(port)) continue;
    out.push({ host: canonicalHost(host), port: port === undefined ? undefined : Number(port), admin });
  }
  return out;
}

function envAllowList(env: Env): AllowEntry[] {
  return parseAllowList((env[ALLOW_ENV] ?? "").split(","), true);
}

function allowedBy(list: AllowEntry[], names: string[], port: number, metadata: boolean): boolean {
  return list.some((e) => (!metadata || e.admin) && names.includes(e.host) && (e.port === undefined || e.port === port));
}

// ---------------------------------------------------------------------------------------------
// Checking a URL

interface Target {
  url: URL;
  /** Host without brackets, as given to http.request. */
  host: string;
  port: number;
  /** The checked addresses; the connection may only use these. */
  addresses: LookupAddress[];
}

function refusal(what: string, d: { host: string; address?: string; reason: string; metadata: boolean }): BlockedAddressError {
  const subject = d.address === undefined || d.address === d.host ? `${d.host} is ${d.reason}` : `${d.host} resolves to ${d.address}, ${d.reason}`;
  const hint = d.metadata
    ? "cloud metadata is only reachable when an admin lists it in LOOPWRIGHT_HTTP_ALLOW"
    : "list the host in allowHosts or LOOPWRIGHT_HTTP_ALLOW to permit it";
  return new BlockedAddressError(`Refused ${what}: ${subject} (${hint})`, d);
}

function lookupAll(host: string, signal: AbortSignal): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => {
      signal.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve(addresses);
    });
  });
}

async function check(url: URL, allow: AllowEntry[], what: string, signal: AbortSignal): Promise<Target> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new BlockedAddressError(`Refused ${what}: only http and https URLs are allowed, not ${url.protocol}`, {
      host: url.hostname,
      reason: `the scheme ${url.protocol} is not allowed`,
    });
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const name = canonicalHost(host);
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;

  if (net.isIP(host)) {
    const verdict = addressVerdict(host);
    if (verdict && !allowedBy(allow, [name], port, verdict.metadata)) throw refusal(what, { host, address: host, ...verdict });
    return { url, host, port, addresses: [{ address: host, family: net.isIP(host) }] };
  }
  if (METADATA_NAMES.has(name) && !allowedBy(allow, [name], port, true)) {
    throw refusal(what, { host: name, reason: "the name of a cloud metadata service", metadata: true });
  }
  const addresses = await lookupAll(host, signal);
  if (!addresses.length) throw new NotFoundError(`Host ${name} has no addresses`, { where: "url" });
  for (const a of addresses) {
    const verdict = addressVerdict(a.address);
    if (verdict && !allowedBy(allow, [name, canonicalHost(a.address)], port, verdict.metadata)) {
      throw refusal(what, { host: name, address: a.address, ...verdict });
    }
  }
  return { url, host, port, addresses };
}

/** A `lookup` for http.request that answers with the checked addresses only. */
function pinnedLookup(addresses: LookupAddress[]): net.LookupFunction {
  return (hostname, options, callback) => {
    const family = typeof options === "object" ? options.family : undefined;
    const list = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
    if (!list.length) {
      const err = Object.assign(new Error(`No checked ${family === 6 ? "IPv6" : "IPv4"} address for ${hostname}`), { code: "ENOTFOUND" });
      return callback(err, "", 0);
    }
    if (typeof options === "object" && options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  };
}

// ---------------------------------------------------------------------------------------------
// Errors from the network

const TLS_CODE = /^(CERT_|ERR_TLS_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|UNABLE_TO_(GET|VERIFY)_)/;

interface Failing {
  url: URL;
  userSignal?: AbortSignal;
  timedOut: () => boolean;
  timeoutMs: number;
}

function networkError(err: unknown, f: Failing): unknown {
  if (f.userSignal?.aborted) return f.userSignal.reason ?? err;
  if (err instanceof NodeError) return err;
  const host = f.url.host;
  if (f.timedOut()) return new TransientError(`${host} did not answer within ${+(f.timeoutMs / 1000).toFixed(3)} s`, { cause: err });
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === "ENOTFOUND") return new NotFoundError(`Host ${f.url.hostname} was not found (DNS)`, { where: "url", cause: err });
  if (code && TLS_CODE.test(code)) return new ConfigError(`The TLS certificate of ${host} is not valid (${code})`, { field: "url", cause: err });
  return new TransientError(`Could not reach ${host}: ${code ?? (err instanceof Error ? err.message : String(err))}`, { cause: err });
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
