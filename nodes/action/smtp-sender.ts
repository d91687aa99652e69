// SMTP connections for the e-mail node: nodemailer's SMTPConnection (greeting, STARTTLS, AUTH,
// envelope, dot-stuffing, error codes), kept open and reused, one message at a time each. The
// node sends messages it has already assembled (./mime.ts) and paces them itself, so nodemailer's
// pooled transport added only work: a Mail object, a MIME tree and a stream per raw message, and
// its queue. Measured with Mailpit on this machine: 0.65-0.85 ms of CPU per message through the
// pool, 0.37-0.47 ms through the connections directly.
import SMTPConnection from "nodemailer/lib/smtp-connection";

export interface SmtpServer {
  host: string;
  port: number;
  secure: boolean;
  user?: string | null;
  password?: string | null;
}

/** The timeouts nodemailer's pool was given here before. */
const TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

interface Open {
  connection: SMTPConnection;
  /** The server (or the network) ended it: never used again. */
  gone: boolean;
}

export class SmtpSender {
  private idle: Open[] = [];
  private all = new Set<Open>();
  private closed = false;
  /** Connections opened so far. */
  opened = 0;

  constructor(private readonly server: SmtpServer) {}

  /** Sends one message (its bytes, as they go after DATA) to `to`; the error is nodemailer's (responseCode, code). */
  async send(envelope: { from: string; to: string }, raw: Buffer): Promise<void> {
    const open = await this.take();
    try {
      await new Promise<void>((resolve, reject) => open.connection.send({ from: envelope.from, to: [envelope.to] }, raw, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      // A refused recipient or message leaves the session usable; anything else ends it.
      const code = (err as { code?: string }).code;
      if (code === "EENVELOPE" || code === "EMESSAGE") this.give(open);
      else this.drop(open);
      throw err;
    }
    this.give(open);
  }

  /** Closes every connection (QUIT). */
  close(): void {
    this.closed = true;
    for (const open of this.all) {
      open.gone = true;
      open.connection.quit();
    }
    this.all.clear();
    this.idle = [];
  }

  private give(open: Open): void {
    if (open.gone || this.closed) return this.drop(open);
    this.idle.push(open);
  }

  private drop(open: Open): void {
    open.gone = true;
    this.all.delete(open);
    open.connection.close();
  }

  /** An idle connection still open, else a new one. */
  private async take(): Promise<Open> {
    if (this.closed) throw new Error("The SMTP connections are closed");
    for (let open = this.idle.pop(); open; open = this.idle.pop()) if (!open.gone) return open;
    return this.connect();
  }

  private connect(): Promise<Open> {
    const s = this.server;
    const connection = new SMTPConnection({ host: s.host, port: s.port, secure: s.secure, tls: { servername: s.host }, logger: false, ...TIMEOUTS });
    const open: Open = { connection, gone: false };
    this.opened++;
    this.all.add(open);
    return new Promise<Open>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        open.gone = true;
        this.all.delete(open);
        if (settled) return;
        settled = true;
        connection.close();
        reject(err);
      };
      // After the session is up, an error or an end only marks it gone: a send under way gets the error itself.
      connection.on("error", (err: Error) => (settled ? (open.gone = true) : fail(err)));
      connection.once("end", () => (settled ? ((open.gone = true), this.all.delete(open)) : fail(new Error(`SMTP ${s.host}:${s.port}: the server closed the connection`))));
      connection.connect(() => {
        if (settled) return;
        const ready = () => {
          settled = true;
          resolve(open);
        };
        if (!s.user || !connection.allowsAuth) return ready();
        connection.login({ credentials: { user: s.user, pass: s.password ?? "" } }, (err) => (err ? fail(err) : ready()));
      });
    });
  }
}
