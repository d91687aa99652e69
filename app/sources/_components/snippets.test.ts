import { describe, expect, it } from "vitest";
import { curlSnippet, DEFAULT_INGEST_URL, ingestBase, nodeSnippet, reasonText, shellWord } from "./snippets";

const KEY = "wk_AbC-123_xyz";

describe("sources page snippets", () => {
  it("uses the configured ingest URL without trailing slashes, or the default", () => {
    expect(ingestBase("https://ingest.example.com/")).toBe("https://ingest.example.com");
    expect(ingestBase(" http://10.0.0.5:3100// ")).toBe("http://10.0.0.5:3100");
    expect(ingestBase(undefined)).toBe(DEFAULT_INGEST_URL);
    expect(ingestBase("  ")).toBe("http://localhost:3100");
  });

  it("gives a curl track call with the write key as the basic-auth user", () => {
    expect(curlSnippet(KEY, "http://localhost:3100/")).toBe(
      `curl -u wk_AbC-123_xyz: -H 'content-type: application/json' -d '{"userId":"u1","event":"Signed Up","properties":{"plan":"pro"}}' http://localhost:3100/v1/track`,
    );
  });

  it("quotes for the shell what needs it", () => {
    expect(shellWord("http://x:3100/v1/track")).toBe("http://x:3100/v1/track");
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(curlSnippet(KEY, "http://host/path with space")).toContain(`'http://host/path with space/v1/track'`);
  });

  it("sets up @segment/analytics-node with the key and the ingest host", () => {
    const code = nodeSnippet(KEY, "https://ingest.example.com/");
    expect(code).toContain(`import { Analytics } from "@segment/analytics-node";`);
    expect(code).toContain(`new Analytics({ writeKey: "wk_AbC-123_xyz", host: "https://ingest.example.com" })`);
    expect(code).toContain("closeAndFlush()");
  });

  it("words each reason as path: message (rule)", () => {
    expect(reasonText({ path: "userId", rule: "required", message: "give a userId or an anonymousId" })).toBe("userId: give a userId or an anonymousId (required)");
    expect(reasonText({ path: "", rule: "size", message: "the event is 40000 bytes" })).toBe("(whole event): the event is 40000 bytes (size)");
  });
});
