// What the ingest endpoints share: an error that is an HTTP answer (status, message, headers), and
// reading a request body up to a limit (413 past it, before buffering more).
import type http from "node:http";

/** An answer to send as it is: `{ error: message }` with this status and these headers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The body, at most `limit` bytes: a larger one (declared or sent) is refused with 413. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) return reject(new HttpError(413, `The body is ${declared} bytes; at most ${limit} are accepted here`, { connection: "close" }));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      if (size > limit) return;
      size += c.length;
      if (size > limit) {
        // The rest is read and dropped while the 413 goes out (destroying the socket now would lose
        // the answer); it is sent with Connection: close, so the socket is closed after it.
        chunks.length = 0;
        reject(new HttpError(413, `The body is over ${limit} bytes; at most ${limit} are accepted here`, { connection: "close" }));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
