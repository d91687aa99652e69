import { describe, expect, it } from "vitest";
import { BodyTooLargeError, withBodyLimit } from "./body-limit";

/** A body that arrives in chunks without a declared length. */
function streamed(chunks: number, size: number): Request {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent++ >= chunks) c.close();
      else c.enqueue(new Uint8Array(size).fill(65));
    },
  });
  return new Request("http://localhost/x", { method: "POST", body, duplex: "half" } as RequestInit);
}

describe("withBodyLimit", () => {
  it("passes a body under the limit through unchanged", async () => {
    const out = await withBodyLimit(new Request("http://localhost/x", { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json" } }), 100);
    expect(await out.text()).toBe('{"a":1}');
    expect(out.headers.get("content-type")).toBe("application/json");
  });

  it("refuses a declared length over the limit before reading", async () => {
    const req = new Request("http://localhost/x", { method: "POST", body: "x".repeat(200) });
    await expect(withBodyLimit(req, 100)).rejects.toBeInstanceOf(BodyTooLargeError);
  });

  it("stops reading a streamed body once it passes the limit", async () => {
    await expect(withBodyLimit(streamed(1000, 1024), 10 * 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(await (await withBodyLimit(streamed(5, 1024), 10 * 1024)).text()).toHaveLength(5 * 1024);
  });
});
