// Which hosts the guarded HTTP client (lib/http-guard.ts) may reach: the allow-lists, the check of
// every hop's URL, and the pinned `lookup` that makes the connection use only the addresses that
// were checked. Kept apart from the request code so the SSRF decision can be read in one place.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import net from "node:net";
import { NotFoundError } from "../nodes/sdk/errors";
import { BlockedAddressError } from "./http-errors";
import { METADATA_NAMES, addressVerdict, canonicalHost } from "./ip-address";

export const ALLOW_ENV = "LOOPWRIGHT_HTTP_ALLOW";

/** Where LOOPWRIGHT_HTTP_ALLOW is read from (process.env unless a caller passes another). */
export type Env = Readonly<Record<string, string | undefined>>;

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

export function envAllowList(env: Env): AllowEntry[] {
  return parseAllowList((env[ALLOW_ENV] ?? "").split(","), true);
}

function allowedBy(list: AllowEntry[], names: string[], port: number, metadata: boolean): boolean {
  return list.some((e) => (!metadata || e.admin) && names.includes(e.host) && (e.port === undefined || e.port === port));
}

// ---------------------------------------------------------------------------------------------
// Checking a URL

export interface Target {
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

export async function check(url: URL, allow: AllowEntry[], what: string, signal: AbortSignal): Promise<Target> {
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
export function pinnedLookup(addresses: LookupAddress[]): net.LookupFunction {
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
