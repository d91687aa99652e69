// The hand-assembled MIME message, sent over SMTP to a real Mailpit and read back parsed: what a
// mail client shows must be exactly what went in, whatever the text holds (non-ASCII, long lines,
// lines starting with a dot, bare LFs, the boundary itself).
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../lib/dev-server";
import { mailpitBinary, MailpitApi, startMailpit, type Mailpit } from "../../lib/mailpit";
import { buildMime, formatAddress, type MimeMessage } from "./mime";

let mp: Mailpit;
let api: MailpitApi;

beforeAll(async () => {
  const binary = mailpitBinary();
  if (!binary) throw new Error("Mailpit is not built: run npm test (it builds it into .tools/bin), or set MAILPIT_PATH");
  mp = await startMailpit({ binary, smtpPort: await freePort(), uiPort: await freePort() });
  api = new MailpitApi(mp.url);
}, 60_000);

afterAll(async () => {
  await mp?.stop();
});

async function roundTrip(m: MimeMessage) {
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port: mp.smtpPort, secure: false, tls: { rejectUnauthorized: false } });
  try {
    await transport.sendMail({ envelope: { from: "news@shop.example", to: [m.to] }, raw: buildMime(m) });
  } finally {
    transport.close();
  }
  const [found] = await api.search(`message-id:"${m.messageId.slice(1, -1)}"`);
  if (!found) throw new Error(`${m.messageId} did not arrive`);
  return { message: await api.message(found.ID), headers: await api.headers(found.ID) };
}

const base = (id: string): MimeMessage => ({
  from: "Shop <news@shop.example>",
  to: "ann@ok.example",
  subject: "Hello",
  html: "<p>Hi</p>",
  text: "Hi",
  messageId: `<${id}@shop.example>`,
});

describe("buildMime", () => {
  it("sends plain ASCII as it is, with the headers given", async () => {
    const m = { ...base("plain-1"), headers: { "List-Unsubscribe": "<https://app.example.com/u/t>, <mailto:news@shop.example?subject=unsubscribe%20t>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } };
    const raw = buildMime(m).toString("utf8");
    expect(raw).toContain("Content-Transfer-Encoding: 7bit");
    expect(raw).not.toMatch(/[^\r]\n/); // CRLF line ends only
    const { message, headers } = await roundTrip(m);
    expect(message.Subject).toBe("Hello");
    expect(message.Text.trim()).toBe("Hi");
    expect(message.HTML.trim()).toBe("<p>Hi</p>");
    expect(message.From).toEqual({ Name: "Shop", Address: "news@shop.example" });
    expect(headers["List-Unsubscribe-Post"]).toEqual(["List-Unsubscribe=One-Click"]);
    expect(headers["List-Unsubscribe"]![0]!.replace(/\s+/g, " ")).toBe("<https://app.example.com/u/t>, <mailto:news@shop.example?subject=unsubscribe%20t>");
    expect(headers["Message-Id"] ?? headers["Message-ID"]).toEqual(["<plain-1@shop.example>"]);
  });

  it("encodes what needs it, and the reader gets back exactly the text", async () => {
    const boundaryLike = "--=_lw_ looks like a boundary";
    const long = "x".repeat(1500);
    const m = {
      ...base("tricky-1"),
      from: "Zoë Müller, Shop <news@shop.example>",
      subject: "Zoë, 50 % off — für Sie 🎉 ".repeat(4).trim(),
      text: `Grüße\n.a line starting with a dot\n${long}\n${boundaryLike}\nend`,
      html: `<p>Ça va? ${"é".repeat(300)}</p>\n<p>.dot</p>`,
    };
    const raw = buildMime(m).toString("utf8");
    expect(raw).toContain("Content-Transfer-Encoding: quoted-printable");
    for (const line of raw.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
    const { message } = await roundTrip(m);
    expect(message.Subject).toBe(m.subject);
    expect(message.From).toEqual({ Name: "Zoë Müller, Shop", Address: "news@shop.example" });
    expect(message.Text.replace(/\r\n/g, "\n").trimEnd()).toBe(m.text);
    expect(message.HTML.replace(/\r\n/g, "\n").trimEnd()).toBe(m.html);
  });

  it("a subject's line breaks become spaces: a header is one line", async () => {
    const m = { ...base("subject-1"), subject: "one\r\nBcc: someone@else.example" };
    const { message, headers } = await roundTrip(m);
    expect(message.Subject).toBe("one Bcc: someone@else.example");
    expect(headers.Bcc).toBeUndefined();
  });

  it("formats addresses: names quoted or encoded as needed", () => {
    expect(formatAddress("news@shop.example")).toBe("news@shop.example");
    expect(formatAddress("Shop <news@shop.example>")).toBe("Shop <news@shop.example>");
    expect(formatAddress("Shop, Inc. <news@shop.example>")).toBe('"Shop, Inc." <news@shop.example>');
    expect(formatAddress("Zoë <z@shop.example>")).toBe("=?UTF-8?Q?Zo=C3=AB?= <z@shop.example>");
  });
});
