// Reads a request body up to a limit, so a huge or endless body is refused after `max` bytes
// instead of being buffered whole by whatever parses it next.

export class BodyTooLargeError extends Error {
  constructor(readonly max: number) {
    super(`The request body is larger than ${max} bytes`);
  }
}

/** The request with its body read into memory (at most `max` bytes); BodyTooLargeError beyond that. */
export async function withBodyLimit(req: Request, max: number): Promise<Request> {
  if (!req.body) return req;
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) {
    await req.body.cancel().catch(() => {});
    throw new BodyTooLargeError(max);
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(max);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return new Request(req.url, { method: req.method, headers: req.headers, body });
}
