// The e-mail node's SMTP connections against a real Mailpit: messages go over reused connections,
// a refused recipient leaves the connection usable, a connection the server closed is replaced,
// and a server that wants a login gets one.
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../../lib/dev-server";
import { mailpitBinary, MailpitApi, startMailpit, type Mailpit } from "../../lib/mailpit";
import { buildMime } from "./mime";
import { SmtpSender } from "./smtp-sender";

const binary = mailpitBinary();
const started: Mailpit[] = [];

const start = async (extraArgs: string[] = [], smtpPort?: number) => {
  if (!binary) throw new Error("Mailpit is not built: run npm test (it builds it into .tools/bin), or set MAILPIT_PATH");
  const mp = await startMailpit({ binary, smtpPort: smtpPort ?? (await freePort()), uiPort: await freePort(), extraArgs });
  started.push(mp);
  return mp;
};

const message = (to: string, n: number) =>
  buildMime({ from: "Shop <news@shop.example>", to, subject: `Message ${n}`, html: `<p>Number ${n}</p>`, text: `Number ${n}`, messageId: `<sender-test-${n}-${Date.now()}@shop.example>` });

let mp: Mailpit;
beforeAll(async () => {
  mp = await start(["--smtp-allowed-recipients", "@ok\\.example$"]);
}, 60_000);

afterAll(async () => {
  for (const m of started) await m.stop();
});

it("sends messages over connections it reuses; a refused recipient is an EENVELOPE error and the next message still goes", async () => {
  const sender = new SmtpSender({ host: "127.0.0.1", port: mp.smtpPort, secure: false });
  try {
    for (let n = 1; n <= 3; n++) await sender.send({ from: "news@shop.example", to: `ann${n}@ok.example` }, message(`ann${n}@ok.example`, n));
    const refused = await sender.send({ from: "news@shop.example", to: "bob@refused.example" }, message("bob@refused.example", 4)).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: "EENVELOPE", responseCode: 550 });
    await sender.send({ from: "news@shop.example", to: "cy@ok.example" }, message("cy@ok.example", 5));
    expect(sender.opened).toBe(1);
  } finally {
    sender.close();
  }
  const api = new MailpitApi(mp.url);
  const subjects = (await api.messages()).map((m) => m.Subject).sort();
  expect(subjects).toEqual(["Message 1", "Message 2", "Message 3", "Message 5"]);
  expect((await api.stats()).accepted).toBe(4);
}, 60_000);

it("replaces a connection the server closed while it was idle (the server restarted on the same port)", async () => {
  const port = await freePort();
  let server = await start([], port);
  const sender = new SmtpSender({ host: "127.0.0.1", port, secure: false });
  try {
    await sender.send({ from: "news@shop.example", to: "ann@ok.example" }, message("ann@ok.example", 1));
    await server.stop();
    server = await start([], port);
    // Give the old connection's end a moment to arrive, as it would between two messages.
    await new Promise((r) => setTimeout(r, 200));
    await sender.send({ from: "news@shop.example", to: "bob@ok.example" }, message("bob@ok.example", 2));
    expect(sender.opened).toBe(2);
  } finally {
    sender.close();
  }
  expect((await new MailpitApi(server.url).messages()).map((m) => m.Subject)).toEqual(["Message 2"]);
}, 60_000);

it("logs in when the server offers AUTH and a user is given; a server that is not listening is a connection error", async () => {
  const authed = await start(["--smtp-auth-accept-any", "--smtp-auth-allow-insecure"]);
  const sender = new SmtpSender({ host: "127.0.0.1", port: authed.smtpPort, secure: false, user: "shop", password: "secret" });
  try {
    await sender.send({ from: "news@shop.example", to: "ann@ok.example" }, message("ann@ok.example", 1));
  } finally {
    sender.close();
  }
  const [got] = await new MailpitApi(authed.url).messages();
  expect(got?.Subject).toBe("Message 1");
  expect((got as unknown as { Username?: string }).Username).toBe("shop");

  const down = new SmtpSender({ host: "127.0.0.1", port: await freePort(), secure: false });
  await expect(down.send({ from: "news@shop.example", to: "ann@ok.example" }, message("ann@ok.example", 2))).rejects.toMatchObject({ code: "ESOCKET" });
  down.close();
}, 60_000);
