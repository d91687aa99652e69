// POST /api/uploads: the raw body is the file, `x-file-name` its (URI-encoded) name, and an
// optional `x-drop` names a drop, whose upload-triggered flows then run on the file. Streamed to
// disk with a size limit, so a large file never sits in the server's memory.
import { NextResponse } from "next/server";
import { sharedDir } from "@/lib/paths";
import { getStore } from "@/server/store";
import { isAppError } from "@/lib/errors";
import { maxUploadBytes, receiveUpload } from "@/server/services/uploads";
import { dropName, dropUpload } from "@/server/services/drops";
import { record } from "@/server/access";
import { takeLimit } from "@/server/limits";
import { errorResponse, routeUser } from "@/server/route-access";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const fail = (status: number, error: string) => NextResponse.json({ error }, { status });

function fileName(req: Request): string | undefined {
  const raw = req.headers.get("x-file-name");
  if (!raw) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The size limit, so the browser can refuse a large file before sending it (a refusal sent while
 * the browser is still uploading often reaches it as a reset connection, not as the message). */
export async function GET(req: Request) {
  try {
    await routeUser(req, "editor", "upload files");
    return NextResponse.json({ maxBytes: maxUploadBytes() });
  } catch (err) {
    return errorResponse(err, "uploads");
  }
}

export async function POST(req: Request) {
  let user;
  try {
    user = await routeUser(req, "editor", "upload files");
    takeLimit("upload", user);
  } catch (err) {
    return errorResponse(err, "uploads");
  }
  const name = fileName(req);
  if (!name) return fail(400, "Send the file name in the x-file-name header (URI-encoded)");
  let drop: string | undefined;
  try {
    drop = dropName(req.headers.get("x-drop"));
  } catch (err) {
    return fail(400, (err as Error).message);
  }
  if (!req.body) return fail(400, `${name}: the request has no body`);

  let maxBytes: number;
  try {
    maxBytes = maxUploadBytes();
  } catch (err) {
    // A misconfigured limit is the operator's to fix; the message says which variable.
    return fail(500, (err as Error).message);
  }

  const length = req.headers.get("content-length");
  const declared = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
  try {
    const store = await getStore();
    const file = await receiveUpload(store, sharedDir(), { name, body: req.body, declaredBytes: declared, maxBytes });
    const dropped = drop ? await dropUpload(store, file, drop) : undefined;
    await record(store, user, "file.upload", { target: file.name, detail: { file: file.id, bytes: file.bytes, ...(drop ? { drop } : {}) } });
    return NextResponse.json({ ...file, ...(dropped ? { drop: dropped.drop, startsFlows: dropped.flows } : {}) }, { status: 201 });
  } catch (err) {
    if (isAppError(err)) return fail(err.httpStatus, err.message);
    // The browser gets a sentence; the log keeps the whole story.
    console.error(`[uploads] ${name} failed:`, err);
    return fail(500, `${name} could not be stored because of a server error; the server log has the details`);
  }
}
