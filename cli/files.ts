// `validate` and `upload`, and reading a flow file.
import { createReadStream, readFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { formatProblem } from "../workflows/graph/problems";
import { CliError, NotLoopwrightError, authHeaders, createApi, refusal, send } from "./api";
import { formatBytes } from "../lib/format-bytes";

export function readFlowFile(file: string): { id?: unknown; nodes?: unknown; edges?: unknown } & Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Checks the flow with the server's node registry, the same checks as a save; runs nothing. */
export async function validate(base: string, file: string): Promise<number> {
  const raw = readFlowFile(file);
  const result = await createApi(base).flow.validate.mutate({ graph: raw });
  if (result.ok) {
    const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
    console.log(`${file}: valid (${count(raw.nodes)} nodes, ${count(raw.edges)} edges)`);
    return 0;
  }
  console.error(`${file}: ${result.problems.length} problem(s)\n${result.problems.map(formatProblem).join("\n")}`);
  return 2;
}

async function errorOf(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { error?: unknown };
    return typeof body.error === "string" ? body.error : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Streams the file to the web app (POST /api/uploads) and prints only its id, so
 * `id=$(loopwright upload f.csv)` works. The server checks the name, the size and the content.
 */
export async function upload(base: string, file: string, opts: { drop?: string } = {}): Promise<number> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`Cannot read ${file}: ${err.code === "ENOENT" ? "no such file" : err.message}`);
  });
  if (!info.isFile()) throw new CliError(`Cannot read ${file}: it is not a file`);
  const name = path.basename(file);
  const endpoint = `${base}/api/uploads`;

  // The server's size limit first: a refusal sent while a large body is still going up often
  // arrives as a reset connection instead of the message.
  const limits = await send(base, endpoint, { method: "GET", headers: authHeaders() }, 30_000);
  // Without a key (or with a revoked one, or a viewer's) the upload would be refused: say so now.
  if (limits.status === 401 || limits.status === 403) {
    const refused = refusal(limits.status, await errorOf(limits));
    if (refused) throw refused;
  }
  if (limits.ok && (limits.headers.get("content-type") ?? "").includes("json")) {
    const { maxBytes } = (await limits.json()) as { maxBytes?: unknown };
    if (typeof maxBytes === "number" && info.size > maxBytes) {
      throw new CliError(`${name} is ${formatBytes(info.size)}; the limit is ${formatBytes(maxBytes)} (set LOOPWRIGHT_MAX_UPLOAD_MB where Loopwright runs to change it)`);
    }
  } else {
    await limits.body?.cancel().catch(() => {});
    if (limits.status === 404) throw new NotLoopwrightError(base, 404, endpoint);
  }

  const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  // Large files take a while; the limit is generous (an hour), not unbounded.
  const res = await send(
    base,
    endpoint,
    { method: "POST", headers: { ...authHeaders(), origin: new URL(base).origin, "x-file-name": encodeURIComponent(name), ...(opts.drop ? { "x-drop": opts.drop } : {}), "content-length": String(info.size), "content-type": "application/octet-stream" }, body, duplex: "half" } as RequestInit,
    60 * 60_000,
  );
  if (res.status === 201) {
    const stored = (await res.json()) as { id: string; drop?: string; startsFlows?: string[] };
    console.log(stored.id);
    if (stored.drop) {
      const n = stored.startsFlows?.length ?? 0;
      console.error(n ? `dropped into "${stored.drop}": starts ${n} flow${n === 1 ? "" : "s"} (${stored.startsFlows!.join(", ")})` : `dropped into "${stored.drop}": no saved flow is triggered by this drop yet`);
    }
    return 0;
  }
  const message = await errorOf(res);
  const refused = refusal(res.status, message);
  if (refused) throw refused;
  if (message) throw new CliError(message);
  if (res.status === 404) throw new NotLoopwrightError(base, 404, endpoint);
  throw new CliError(`${base} refused the upload of ${name} (HTTP ${res.status} ${res.statusText})`);
}

/**
 * A secret (password, token) from standard input, so it never appears in the shell history or in
 * `ps`: everything up to the end of input, without the one line break `echo` or a file ends with.
 */
export async function readStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(`Type the ${what}, then press Enter and Ctrl-D:\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  const text = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (!text) throw new CliError(`No ${what} on standard input (pipe it in, e.g. \`printf %s "$VALUE" | loopwright ...\`)`);
  return text;
}
