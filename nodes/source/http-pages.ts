// Helpers for source.http-json: walking a dot path in parsed JSON without touching prototypes,
// the next page's URL for each pagination mode, Link headers, Retry-After and backoff.
import { DataError } from "../sdk";

export type PaginationMode = "none" | "page" | "offset" | "cursor" | "link";

export interface PaginationConfig {
  mode: PaginationMode;
  pageParam: string;
  sizeParam?: string;
  pageSize?: number;
  startPage: number;
  offsetParam: string;
  cursorParam: string;
  cursorPath?: string;
}

export type PathResult = { found: true; value: unknown } | { found: false; missing: string };

/**
 * Follows `a.b.0.c` through objects and arrays using own properties only, so `__proto__`,
 * `constructor` or `toString` are found only when the JSON itself has them. Empty path: the value.
 */
export function getPath(value: unknown, path: string): PathResult {
  let cur = value;
  const seen: string[] = [];
  for (const key of path.split(".").filter((k) => k !== "")) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, key)) return { found: false, missing: [...seen, key].join(".") };
    seen.push(key);
    cur = (cur as Record<string, unknown>)[key];
  }
  return { found: true, value: cur };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The records of one page: the array at `recordPath` (the body itself when empty). */
export function recordsAt(body: unknown, recordPath: string, page: number): unknown[] {
  const at = getPath(body, recordPath);
  const where = recordPath ? `recordPath "${recordPath}"` : "The response body";
  if (!at.found) throw new DataError(`${where} does not lead to an array in page ${page}: "${at.missing}" is missing`, { where: "recordPath" });
  if (!Array.isArray(at.value)) {
    const hint = recordPath ? "" : " (set recordPath to where the records are)";
    throw new DataError(`${where} does not lead to an array in page ${page}: it is ${describe(at.value)}${hint}`, { where: "recordPath" });
  }
  return at.value;
}

export interface LinkValue {
  /** The target between `<` and `>`, trimmed, as written (maybe relative). */
  target: string;
  /** Its link relation types, lower case (from the first `rel` parameter with a value). */
  rel: string[];
}

const isSpace = (c: string) => /\s/.test(c);
const isLineEnd = (c: string) => c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029";

/**
 * Every link of an RFC 8288 Link header, in order: `<url>; rel="next last"; title="a, b", <url2>…`.
 * Untrusted input, so one left-to-right scan: no position is looked at more than a few times, and
 * `work.steps` (for tests) counts the characters looked at. Parameters are `;`-separated outside
 * quoted strings (`\"` escapes); text between links is skipped up to the next `<`.
 */
export function parseLinkHeader(header: string, work: { steps: number } = { steps: 0 }): LinkValue[] {
  const n = header.length;
  const at = (k: number) => {
    work.steps++;
    return header[k]!;
  };
  const skipSpace = (k: number) => {
    while (k < n && isSpace(at(k))) k++;
    return k;
  };
  // A quoted string that reached the end of the header (or a backslash before a line break) without
  // its closing quote makes every quoted string opening before that point fail there too (a quote
  // it passed over was escaped, so both scans are in step from the next character), so none of them
  // is scanned again.
  let unclosedUntil = -1;
  /** The index of the quote closing the one at `open`, or -1. */
  const closingQuote = (open: number) => {
    if (open < unclosedUntil) return -1;
    let k = open + 1;
    while (k < n) {
      const c = at(k);
      if (c === '"') return k;
      if (c === "\\") {
        if (k + 1 >= n || isLineEnd(at(k + 1))) break;
        k += 2;
      } else k++;
    }
    unclosedUntil = Math.min(k, n);
    return -1;
  };

  const links: LinkValue[] = [];
  let i = 0;
  for (;;) {
    while (i < n && at(i) !== "<") i++;
    let end = i + 1;
    while (end < n && at(end) !== ">") end++;
    // No ">" after this "<" means none after any later "<" either.
    if (end >= n) break;
    const target = header.slice(i + 1, end).trim();
    i = end + 1;
    let rel: string | undefined;
    // Parameters: (\s* ; \s* name \s* (= \s* ("quoted" | [^;,]*))?)*
    for (;;) {
      let k = skipSpace(i);
      if (k >= n || at(k) !== ";") break;
      k = skipSpace(k + 1);
      const nameStart = k;
      while (k < n) {
        const c = at(k);
        if (c === ";" || c === "," || c === "=" || isSpace(c)) break;
        k++;
      }
      if (k === nameStart) break;
      const name = header.slice(nameStart, k);
      k = skipSpace(k);
      i = k;
      if (k >= n || at(k) !== "=") continue;
      k = skipSpace(k + 1);
      const close = k < n && at(k) === '"' ? closingQuote(k) : -1;
      let value: string;
      if (close >= 0) {
        value = header.slice(k + 1, close);
        i = close + 1;
      } else {
        // Unquoted (or an unclosed quote, taken as is): up to the next ";" or ",".
        const start = k;
        while (k < n) {
          const c = at(k);
          if (c === ";" || c === ",") break;
          k++;
        }
        value = header.slice(start, k);
        i = k;
        // An unquoted rel is one token; an empty one does not count.
        if (name.toLowerCase() === "rel") {
          let t = 0;
          while (t < value.length && !isSpace(value[t]!)) t++;
          work.steps += t;
          value = value.slice(0, t);
          if (!value) continue;
        }
      }
      if (rel === undefined && name.toLowerCase() === "rel") rel = value;
    }
    links.push({ target, rel: (rel ?? "").toLowerCase().split(/\s+/) });
  }
  return links;
}

/** The target of the first `rel="next"` link in an RFC 8288 Link header, as written (maybe relative). */
export function nextLink(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  return parseLinkHeader(header).find((link) => link.rel.includes("next"))?.target;
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const h = header.trim();
  if (/^\d+$/.test(h)) return Number(h) * 1000;
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with jitter: base·2^(retry-1), capped, then scaled by 50–100 %. */
export function backoffDelay(retry: number, baseMs: number, capMs = 30_000, random = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exp * (0.5 + random() * 0.5));
}

/** Waits, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export interface Page {
  /** 1-based. */
  number: number;
  /** The URL that answered (after any redirects). */
  url: string;
  body: unknown;
  headers: Headers;
  records: unknown[];
}

/** Decides which URL to fetch next; `next` returns undefined when the last page has been read. */
export interface Pager {
  first(): URL;
  next(page: Page): URL | undefined;
}

export function makePager(base: URL, p: PaginationConfig, warn: (message: string) => void): Pager {
  const withParams = (params: Record<string, string | number | undefined>) => {
    const u = new URL(base);
    for (const [k, v] of Object.entries(params)) if (k && v !== undefined) u.searchParams.set(k, String(v));
    return u;
  };
  const size = p.sizeParam && p.pageSize !== undefined ? { [p.sizeParam]: p.pageSize } : {};
  // A short or empty page is the last one (when the page size is known).
  const lastPage = (page: Page) => page.records.length === 0 || (p.pageSize !== undefined && page.records.length < p.pageSize);

  switch (p.mode) {
    case "none":
      return { first: () => new URL(base), next: () => undefined };

    case "page": {
      let n = p.startPage;
      return {
        first: () => withParams({ ...size, [p.pageParam]: n }),
        next: (page) => (lastPage(page) ? undefined : withParams({ ...size, [p.pageParam]: ++n })),
      };
    }

    case "offset": {
      let offset = 0;
      return {
        first: () => withParams({ ...size, [p.offsetParam]: offset }),
        next: (page) => {
          if (lastPage(page)) return undefined;
          offset += page.records.length;
          return withParams({ ...size, [p.offsetParam]: offset });
        },
      };
    }

    case "cursor": {
      const seen = new Set<string>();
      return {
        first: () => withParams(size),
        next: (page) => {
          const at = getPath(page.body, p.cursorPath ?? "");
          const cursor = at.found ? at.value : undefined;
          if (cursor === undefined || cursor === null || cursor === "" || cursor === false) return undefined;
          if (typeof cursor !== "string" && !(typeof cursor === "number" && Number.isFinite(cursor))) {
            throw new DataError(`cursorPath "${p.cursorPath}" in page ${page.number} is ${describe(cursor)}, not a string or number`, { where: "pagination.cursorPath" });
          }
          const key = String(cursor);
          if (seen.has(key)) {
            warn(`page ${page.number} gave a cursor already used; stopping`);
            return undefined;
          }
          seen.add(key);
          return withParams({ ...size, [p.cursorParam]: key });
        },
      };
    }

    case "link": {
      const seen = new Set<string>([base.href]);
      return {
        first: () => new URL(base),
        next: (page) => {
          const target = nextLink(page.headers.get("link"));
          if (target === undefined) return undefined;
          let u: URL;
          try {
            u = new URL(target, page.url);
          } catch {
            throw new DataError(`The next link in page ${page.number} is not a valid URL`, { where: "pagination" });
          }
          // Configured headers (API keys) must not travel to another site.
          if (u.origin !== base.origin) throw new DataError(`The next link in page ${page.number} leaves ${base.origin} (for ${u.origin}); refused`, { where: "pagination" });
          if (seen.has(u.href)) {
            warn(`page ${page.number} links to a page already read; stopping`);
            return undefined;
          }
          seen.add(u.href);
          return u;
        },
      };
    }
  }
}
