import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError, DataError, TransientError } from "../nodes/sdk/errors";
import {
  addressVerdict,
  BlockedAddressError,
  canonicalHost,
  guardedFetch,
  parseAllowList,
  redactHeaders,
  redactUrl,
  ResponseTooLargeError,
  TooManyRedirectsError,
} from "./http-guard";

// DNS answers for made-up names; every other name goes to the real resolver. Node's own connect
// never sees these answers, so a request to "pinned.test" only works when the guard pins the
// address it checked.
const fakeDns = vi.hoisted(() => ({ answers: new Map<string, Array<{ address: string; family: number }>[]>(), calls: [] as string[] }));
vi.mock("node:dns", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:dns")>();
  const lookup = ((host: string, options: unknown, callback: (...args: unknown[]) => void) => {
    const queue = fakeDns.answers.get(host);
    if (!queue) return (real.lookup as (...a: unknown[]) => void)(host, options, callback);
    fakeDns.calls.push(host);
    const answer = queue.length > 1 ? queue.shift()! : queue[0]!;
    process.nextTick(() => callback(null, answer));
  }) as typeof real.lookup;
  return { ...real, lookup, default: { ...real, lookup } };
});

interface TestServer {
  port: number;
  url: string;
  hits: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<TestServer> {
  const hits: TestServer["hits"] = [];
  const server = http.createServer((req, res) => {
    hits.push({ url: req.url ?? "", headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function refusal(p: Promise<unknown>): Promise<BlockedAddressError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BlockedAddressError);
    return err as BlockedAddressError;
  }
  throw new Error("expected a refusal");
}

const noEnv = {};

let ok: TestServer;
let other: TestServer;
beforeAll(async () => {
  ok = await serve((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ hello: "world", path: req.url }));
  });
  other = await serve((_req, res) => res.end("other"));
});
afterAll(async () => {
  await ok.close();
  await other.close();
});

describe("addressVerdict", () => {
  it.each([
    ["127.0.0.1", "a loopback address"],
    ["127.255.0.9", "a loopback address"],
    ["10.0.0.1", "a private address"],
    ["172.16.0.1", "a private address"],
    ["172.31.255.255", "a private address"],
    ["192.168.1.1", "a private address"],
    ["169.254.169.254", "a cloud metadata address"],
    ["169.254.1.1", "a cloud metadata address"], // all of link-local: metadata agents (EKS Pod Identity, ECS) live there
    ["168.63.129.16", "a cloud metadata address"],
    ["100.64.0.1", "a shared (CGNAT) address"],
    ["100.127.255.255", "a shared (CGNAT) address"],
    ["0.0.0.0", "the unspecified address"],
    ["0.1.2.3", 'a "this network" address'],
    ["224.0.0.1", "a multicast address"],
    ["239.255.255.250", "a multicast address"],
    ["255.255.255.255", "the broadcast address"],
    ["::", "the unspecified address"],
    ["::1", "a loopback address"],
    ["0:0:0:0:0:0:0:1", "a loopback address"],
    ["fe80::1", "a link-local address"],
    ["fe80::1%eth0", "a link-local address"],
    ["fc00::1", "a private (unique local) address"],
    ["fd12:3456::1", "a private (unique local) address"],
    ["fd00:ec2::254", "a cloud metadata address"],
    ["ff02::1", "a multicast address"],
    ["::ffff:169.254.169.254", "an IPv4-mapped form of 169.254.169.254, a cloud metadata address"],
    ["::ffff:a9fe:a9fe", "an IPv4-mapped form of 169.254.169.254, a cloud metadata address"],
    ["::ffff:7f00:1", "an IPv4-mapped form of 127.0.0.1, a loopback address"],
    ["::127.0.0.1", "an IPv4-compatible form of 127.0.0.1, a loopback address"],
    ["64:ff9b::a9fe:a9fe", "a NAT64 form of 169.254.169.254, a cloud metadata address"],
    ["2002:0a00:0001::1", "a 6to4 form of 10.0.0.1, a private address"],
  ])("refuses %s as %s", (ip, reason) => {
    expect(addressVerdict(ip)?.reason).toBe(reason);
  });

  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "169.253.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:0808:0808::1"])("allows %s", (ip) => {
    expect(addressVerdict(ip)).toBeUndefined();
  });

  it("marks metadata addresses, even wrapped in IPv6", () => {
    expect(addressVerdict("169.254.169.254")?.metadata).toBe(true);
    expect(addressVerdict("::ffff:a9fe:a9fe")?.metadata).toBe(true);
    expect(addressVerdict("fd00:ec2::254")?.metadata).toBe(true);
    expect(addressVerdict("10.0.0.1")?.metadata).toBe(false);
  });

  it("normalises hosts the WHATWG way", () => {
    expect(canonicalHost("0xA9FEA9FE")).toBe("169.254.169.254");
    expect(canonicalHost("2852039166")).toBe("169.254.169.254");
    expect(canonicalHost("0251.0376.0251.0376")).toBe("169.254.169.254");
    expect(canonicalHost("127.1")).toBe("127.0.0.1");
    expect(canonicalHost("[0:0::1]")).toBe("::1");
    expect(canonicalHost("Example.COM.")).toBe("example.com");
    expect(parseAllowList([" api.example.com ", "127.0.0.1:8080", "[::1]:9000", "fe80::1", "", "bad:port:x:"])).toEqual([
      { host: "api.example.com", port: undefined, admin: false },
      { host: "127.0.0.1", port: 8080, admin: false },
      { host: "::1", port: 9000, admin: false },
      { host: "fe80::1", port: undefined, admin: false },
      { host: "bad:port:x:", port: undefined, admin: false },
    ]);
  });
});

describe("guardedFetch refuses", () => {
  it.each([
    ["http://127.0.0.1:PORT/", "127.0.0.1 is a loopback address"],
    ["http://localhost:PORT/", /localhost resolves to (127\.0\.0\.1|::1), a loopback address/],
    ["http://10.0.0.1/", "10.0.0.1 is a private address"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"],
    ["http://0xa9fea9fe/", "169.254.169.254 is a cloud metadata address"],
    ["http://2852039166/", "169.254.169.254 is a cloud metadata address"],
    ["http://0251.0376.0251.0376/", "169.254.169.254 is a cloud metadata address"],
    ["http://169.254.43518/", "169.254.169.254 is a cloud metadata address"],
    ["http://[::ffff:169.254.169.254]/", "::ffff:a9fe:a9fe is an IPv4-mapped form of 169.254.169.254, a cloud metadata address"],
    ["http://[::ffff:a9fe:a9fe]/", "::ffff:a9fe:a9fe is an IPv4-mapped form of 169.254.169.254, a cloud metadata address"],
    ["http://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"],
    ["http://127.1:PORT/", "127.0.0.1 is a loopback address"],
    ["http://0x7f000001:PORT/", "127.0.0.1 is a loopback address"],
    ["http://[::1]:PORT/", "::1 is a loopback address"],
    ["http://[::ffff:7f00:1]:PORT/", "::ffff:7f00:1 is an IPv4-mapped form of 127.0.0.1, a loopback address"],
    ["http://0.0.0.0:PORT/", "0.0.0.0 is the unspecified address"],
    ["http://[::]:PORT/", ":: is the unspecified address"],
    ["http://100.64.1.1/", "100.64.1.1 is a shared (CGNAT) address"],
    ["http://224.0.0.1/", "224.0.0.1 is a multicast address"],
    ["http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal is the name of a cloud metadata service"],
    ["http://METADATA.google.internal./", "metadata.google.internal is the name of a cloud metadata service"],
  ])("%s", async (raw, why) => {
    const before = ok.hits.length;
    const err = await refusal(guardedFetch(raw.replace("PORT", String(ok.port)), { timeoutMs: 2_000 }, noEnv));
    if (typeof why === "string") expect(err.message).toContain(why);
    else expect(err.message).toMatch(why);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.retryable).toBe(false);
    expect(err.where).toBe("url");
    expect(ok.hits.length).toBe(before); // refused before connecting
  });

  it("a name when any of its addresses is refused", async () => {
    fakeDns.answers.set("mixed.test", [[{ address: "93.184.216.34", family: 4 }, { address: "10.1.2.3", family: 4 }]]);
    const err = await refusal(guardedFetch("http://mixed.test/", {}, noEnv));
    expect(err.message).toContain("mixed.test resolves to 10.1.2.3, a private address");
    expect(err.host).toBe("mixed.test");
    expect(err.address).toBe("10.1.2.3");
  });

  it("schemes other than http and https", async () => {
    for (const raw of ["file:///etc/passwd", "ftp://example.com/x", "gopher://127.0.0.1:70/"]) {
      const err = await refusal(guardedFetch(raw, {}, noEnv));
      expect(err.message).toMatch(/only http and https URLs are allowed/);
    }
    expect(await guardedFetch("not a url", {}, noEnv).catch((e) => e)).toBeInstanceOf(ConfigError);
  });

  it("cloud metadata even when a caller lists it", async () => {
    const err = await refusal(guardedFetch("http://169.254.169.254/", { allowHosts: ["169.254.169.254", "0xa9fea9fe"] }, noEnv));
    expect(err.message).toMatch(/only reachable when an admin lists it in LOOPWRIGHT_HTTP_ALLOW/);
    await refusal(guardedFetch("http://metadata.google.internal/", { allowHosts: ["metadata.google.internal"] }, noEnv));
  });

  it("an allow-listed host on another port", async () => {
    await refusal(guardedFetch(`${ok.url}/`, { allowHosts: [`127.0.0.1:${other.port}`] }, noEnv));
  });
});

describe("guardedFetch allows", () => {
  it("a local server listed by 127.0.0.1:<port>", async () => {
    const res = await guardedFetch(`${ok.url}/a?b=1`, { allowHosts: [`127.0.0.1:${ok.port}`] }, noEnv);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${ok.url}/a?b=1`);
    expect(await res.json()).toEqual({ hello: "world", path: "/a?b=1" });
  });

  it("a local server listed in LOOPWRIGHT_HTTP_ALLOW, by address or by name", async () => {
    const env = { LOOPWRIGHT_HTTP_ALLOW: ` example.org , 127.0.0.1:${ok.port}` };
    expect((await guardedFetch(`${ok.url}/`, {}, env)).status).toBe(200);
    // localhost resolves to an allowed address (127.0.0.1 on this port).
    fakeDns.answers.set("local.test", [[{ address: "127.0.0.1", family: 4 }]]);
    expect((await guardedFetch(`http://local.test:${ok.port}/`, {}, env)).status).toBe(200);
    expect((await guardedFetch(`http://local.test:${ok.port}/`, {}, { LOOPWRIGHT_HTTP_ALLOW: "local.test" })).status).toBe(200);
  });

  it("connects to the address it checked, not a later DNS answer (rebinding)", async () => {
    // First answer: the allowed loopback server. Any later answer: the metadata address.
    fakeDns.answers.set("pinned.test", [[{ address: "127.0.0.1", family: 4 }], [{ address: "169.254.169.254", family: 4 }]]);
    fakeDns.calls.length = 0;
    const before = ok.hits.length;
    const res = await guardedFetch(`http://pinned.test:${ok.port}/pinned`, { allowHosts: [`127.0.0.1:${ok.port}`] }, noEnv);
    expect(await res.json()).toMatchObject({ path: "/pinned" });
    expect(ok.hits.length).toBe(before + 1);
    expect(ok.hits.at(-1)!.headers.host).toBe(`pinned.test:${ok.port}`);
    expect(fakeDns.calls).toEqual(["pinned.test"]); // resolved once, for the check
  });
});

describe("guardedFetch redirects", () => {
  let hop: TestServer;
  beforeAll(async () => {
    hop = await serve((req, res) => {
      const to = new URL(req.url ?? "/", "http://x").searchParams.get("to");
      const n = Number(new URL(req.url ?? "/", "http://x").searchParams.get("n") ?? 0);
      if (req.url?.startsWith("/loop")) {
        res.writeHead(302, { location: `/loop?n=${n + 1}` });
        return res.end();
      }
      if (to) {
        res.writeHead(302, { location: to });
        return res.end("secret body of the redirect");
      }
      res.end(JSON.stringify({ headers: req.headers }));
    });
  });
  afterAll(() => hop.close());
  const allowHop = () => ({ allowHosts: [`127.0.0.1:${hop.port}`] });

  it("refuses a redirect from an allowed server to the metadata address", async () => {
    const err = await refusal(guardedFetch(`${hop.url}/?to=${encodeURIComponent("http://169.254.169.254/latest/meta-data/")}`, allowHop(), noEnv));
    expect(err.message).toContain("redirect");
    expect(err.message).toContain("169.254.169.254 is a cloud metadata address");
    expect(err.message).not.toContain("secret body");
  });

  it("refuses a redirect to a local port that is not allowed", async () => {
    const before = other.hits.length;
    const err = await refusal(guardedFetch(`${hop.url}/?to=${encodeURIComponent(`http://127.0.0.1:${other.port}/`)}`, allowHop(), noEnv));
    expect(err.message).toContain("127.0.0.1 is a loopback address");
    expect(other.hits.length).toBe(before);
    await refusal(guardedFetch(`${hop.url}/?to=${encodeURIComponent("http://[::ffff:7f00:1]/")}`, allowHop(), noEnv));
    await refusal(guardedFetch(`${hop.url}/?to=${encodeURIComponent("file:///etc/passwd")}`, allowHop(), noEnv));
  });

  it("follows allowed redirects, relative ones too, and stops after maxRedirects", async () => {
    const res = await guardedFetch(`${hop.url}/?to=${encodeURIComponent("/final")}`, allowHop(), noEnv);
    expect(res.status).toBe(200);
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`${hop.url}/final`);
    const err = await guardedFetch(`${hop.url}/loop`, { ...allowHop(), maxRedirects: 3 }, noEnv).catch((e) => e);
    expect(err).toBeInstanceOf(TooManyRedirectsError);
    expect(err.message).toMatch(/redirected more than 3 times/);
    expect(hop.hits.filter((h) => h.url.startsWith("/loop")).length).toBe(4);
  });

  it("does not carry credentials to another origin", async () => {
    const to = `http://127.0.0.1:${ok.port}/moved`;
    const res = await guardedFetch(
      `${hop.url}/?to=${encodeURIComponent(to)}`,
      { allowHosts: [`127.0.0.1:${hop.port}`, `127.0.0.1:${ok.port}`], headers: { authorization: "Bearer s3cret", "x-api-key": "k", accept: "application/json" } },
      noEnv,
    );
    expect(res.status).toBe(200);
    const got = ok.hits.at(-1)!.headers;
    expect(got.authorization).toBeUndefined();
    expect(got["x-api-key"]).toBeUndefined();
    expect(got.accept).toBe("application/json");
    expect(hop.hits.at(-1)!.headers.authorization).toBe("Bearer s3cret");
  });
});

describe("guardedFetch limits", () => {
  let big: TestServer;
  beforeAll(async () => {
    big = await serve((req, res) => {
      const payload = Buffer.alloc(64 * 1024, "x");
      if (req.url === "/declared") {
        res.writeHead(200, { "content-length": payload.length });
        return res.end(payload);
      }
      if (req.url === "/chunked") {
        res.writeHead(200); // no content-length: the guard has to count
        for (let i = 0; i < 8; i++) res.write(payload.subarray(i * 8192, (i + 1) * 8192));
        return res.end();
      }
      if (req.url === "/gzip-bomb") {
        const zipped = gzipSync(Buffer.alloc(8 * 1024 * 1024));
        res.writeHead(200, { "content-encoding": "gzip", "content-length": zipped.length });
        return res.end(zipped);
      }
      if (req.url === "/gzip") {
        res.writeHead(200, { "content-encoding": "gzip" });
        return res.end(gzipSync(JSON.stringify({ zipped: true })));
      }
      if (req.url === "/slow") return; // never answers
      if (req.url === "/cut") {
        res.writeHead(200, { "content-length": 1000 });
        res.write("partial");
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.end("small");
    });
  });
  afterAll(() => big.close());
  const opts = (more: Record<string, unknown> = {}) => ({ allowHosts: [`127.0.0.1:${big.port}`], ...more });

  it("refuses a declared body over maxBytes before reading it", async () => {
    const err = await guardedFetch(`${big.url}/declared`, opts({ maxBytes: 10_000 }), noEnv).catch((e) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/larger than 9\.8 KB/);
  });

  it("stops a streamed body at maxBytes", async () => {
    const res = await guardedFetch(`${big.url}/chunked`, opts({ maxBytes: 20_000 }), noEnv);
    expect(res.status).toBe(200);
    const err = await res.text().catch((e) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    // Under the limit it reads whole.
    expect((await (await guardedFetch(`${big.url}/chunked`, opts({ maxBytes: 64 * 1024 }), noEnv)).arrayBuffer()).byteLength).toBe(64 * 1024);
  });

  it("counts decompressed bytes (gzip bomb), and decompresses", async () => {
    const res = await guardedFetch(`${big.url}/gzip-bomb`, opts({ maxBytes: 1024 * 1024 }), noEnv);
    expect(await res.arrayBuffer().catch((e) => e)).toBeInstanceOf(ResponseTooLargeError);
    const zipped = await guardedFetch(`${big.url}/gzip`, opts(), noEnv);
    expect(zipped.headers.get("content-encoding")).toBeNull();
    expect(await zipped.json()).toEqual({ zipped: true });
  });

  it("times out as a TransientError, and honours the caller's abort", async () => {
    const err = await guardedFetch(`${big.url}/slow`, opts({ timeoutMs: 150 }), noEnv).catch((e) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/did not answer within 0\.15 s/);
    const ctl = new AbortController();
    const pending = guardedFetch(`${big.url}/slow`, opts({ signal: ctl.signal }), noEnv).catch((e) => e);
    ctl.abort(new Error("cancelled by the run"));
    expect((await pending).message).toBe("cancelled by the run");
  });

  it("keeps a body cut off before the caller reads it as a TransientError", async () => {
    const res = await guardedFetch(`${big.url}/cut`, opts(), noEnv);
    await new Promise((r) => setTimeout(r, 100)); // the connection dies meanwhile
    const err = await res.text().catch((e) => e);
    expect(err).toBeInstanceOf(TransientError);
  });

  it("many calls sharing one signal leave no listeners behind", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const ctl = new AbortController();
      for (let i = 0; i < 30; i++) await (await guardedFetch(`${big.url}/small`, opts({ signal: ctl.signal }), noEnv)).text();
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.map((w) => w.message)).toEqual([]);
  });

  it("reports a closed port as a TransientError", async () => {
    const closed = await serve(() => {});
    await closed.close();
    const err = await guardedFetch(`${closed.url}/`, { allowHosts: [`127.0.0.1:${closed.port}`] }, noEnv).catch((e) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});

describe("redaction", () => {
  it("hides secret query values, user info and fragments", () => {
    expect(redactUrl("https://user:pw@api.example.com/v1/items?api_key=abc&page=2&access_token=t&q=x#frag")).toBe(
      "https://REDACTED@api.example.com/v1/items?api_key=REDACTED&page=2&access_token=REDACTED&q=x",
    );
    expect(redactHeaders([{ name: "Authorization", value: "Bearer x" }, { name: "X-Api-Key", value: "k" }, { name: "Accept", value: "a/b" }])).toEqual({
      Authorization: "REDACTED",
      "X-Api-Key": "REDACTED",
      Accept: "a/b",
    });
  });
});
