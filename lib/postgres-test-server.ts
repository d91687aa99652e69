// A throwaway PostgreSQL server for tests: initdb into a temporary directory, start `postgres` on a
// free port on 127.0.0.1 (and a Unix socket in the same directory), create a database and a user
// with a password, and remove everything on stop(). Uses Debian's `postgresql` package binaries
// (/usr/lib/postgresql/<version>/bin); no vitest imports, so any support code may use it.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export interface PostgresTestServer {
  /** `postgres://user:password@127.0.0.1:port/database`: a password-protected TCP login. */
  url: string;
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** The superuser (trust login over the Unix socket in `socketDir`), for test setup only. */
  superuser: { host: string; port: number; user: string; database: string };
  /** The server's own directory: data, socket and log. */
  dir: string;
  /** The server's log so far (for diagnosing a failed test). */
  log(): string;
  /** Stop the server and delete its directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  database?: string;
  user?: string;
  password?: string;
  /** A directory holding initdb and postgres; found automatically when absent. */
  binDir?: string;
  /** How long to wait for the server to accept connections (default 60 s). */
  startTimeoutMs?: number;
}

export const POSTGRES_APT_PACKAGE = "postgresql";
const BIN_ROOT = "/usr/lib/postgresql";

export class PostgresNotInstalledError extends Error {
  constructor(detail: string) {
    super(
      `PostgreSQL is not installed: ${detail}. Install it with \`apt-get install ${POSTGRES_APT_PACKAGE}\` ` +
        `(Debian package "${POSTGRES_APT_PACKAGE}"), or set LOOPWRIGHT_PG_BIN to a folder holding initdb and postgres.`,
    );
    this.name = "PostgresNotInstalledError";
  }
}

function hasServerBinaries(dir: string): boolean {
  return existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "postgres"));
}

/**
 * The folder with initdb and postgres: `LOOPWRIGHT_PG_BIN`, else the newest
 * `<root>/<version>/bin` (Debian keeps the server binaries off PATH), else initdb on PATH.
 */
export function findPostgresBin(root = BIN_ROOT, env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.LOOPWRIGHT_PG_BIN;
  if (fromEnv) {
    if (hasServerBinaries(fromEnv)) return fromEnv;
    throw new PostgresNotInstalledError(`LOOPWRIGHT_PG_BIN=${fromEnv} has no initdb and postgres`);
  }
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && hasServerBinaries(path.join(root, v, "bin")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length) return path.join(root, versions[0]!, "bin");
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    if (hasServerBinaries(dir)) return dir;
  }
  throw new PostgresNotInstalledError(`no initdb and postgres in ${root}/<version>/bin or on PATH`);
}

/** initdb and postgres refuse to run as root: as root, run them as the `postgres` OS user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
  } catch {
    // fall through
  }
  throw new PostgresNotInstalledError(
    "running as root, and there is no `postgres` OS user to run initdb as (the Debian package creates it)",
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function run(bin: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; user?: { uid: number; gid: number } }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"], ...opts.user });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(bin)} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${out}`));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start a fresh PostgreSQL server. Call stop() when done (also done on process exit). */
export async function startPostgres(opts: StartOptions = {}): Promise<PostgresTestServer> {
  const bin = opts.binDir ?? findPostgresBin();
  const user = serverUser();
  const database = opts.database ?? "loopwright_test";
  const login = opts.user ?? "loopwright_test";
  const password = opts.password ?? randomBytes(12).toString("hex");
  if (!/^[a-z_][a-z0-9_]*$/.test(database) || !/^[a-z_][a-z0-9_]*$/.test(login)) {
    throw new Error("startPostgres: database and user must be plain lower-case identifiers");
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-pg-"));
  const dataDir = path.join(dir, "data");
  const socketDir = path.join(dir, "sock");
  mkdirSync(socketDir);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(socketDir, user.uid, user.gid);
  }
  const env: NodeJS.ProcessEnv = { NODE_ENV: process.env.NODE_ENV, PATH: process.env.PATH, HOME: dir, LANG: "C", LC_ALL: "C", TZ: "UTC" };

  let proc: ChildProcess | undefined;
  let log = "";
  let stopped = false;
  const cleanupOnExit = () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill("SIGQUIT");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", cleanupOnExit);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", cleanupOnExit);
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => proc!.once("exit", () => resolve()));
      proc.kill("SIGINT"); // fast shutdown: disconnects clients, no waiting for them
      const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        proc.kill("SIGKILL");
        await exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await run(
      path.join(bin, "initdb"),
      ["-D", dataDir, "-U", "postgres", "-E", "UTF8", "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "--no-instructions"],
      { cwd: dir, env, user },
    ).catch(async (err) => {
      // --no-instructions is newer than some releases: retry without it.
      if (!/no-instructions/.test(String(err))) throw err;
      rmSync(dataDir, { recursive: true, force: true });
      return run(
        path.join(bin, "initdb"),
        ["-D", dataDir, "-U", "postgres", "-E", "UTF8", "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"],
        { cwd: dir, env, user },
      );
    });

    // A free port can be taken between the probe and the bind: try a few.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      log = "";
      const child = spawn(
        path.join(bin, "postgres"),
        [
          "-D", dataDir,
          "-p", String(port),
          "-k", socketDir,
          "-c", "listen_addresses=127.0.0.1",
          "-c", "fsync=off",
          "-c", "synchronous_commit=off",
          "-c", "full_page_writes=off",
          "-c", "max_connections=30",
          "-c", "shared_buffers=32MB",
          "-c", "dynamic_shared_memory_type=mmap",
          "-c", "log_min_messages=warning",
        ],
        { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"], ...user },
      );
      proc = child;
      child.stdout!.on("data", (d) => (log += d));
      child.stderr!.on("data", (d) => (log += d));
      const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(`postgres exited (${signal ?? `exit ${code}`})`)));
      const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
      let ready = false;
      let why = "";
      while (!ready && Date.now() < deadline) {
        const gone = await Promise.race([exited, sleep(200).then(() => "")]);
        if (gone) {
          why = gone;
          break;
        }
        const probe = new pg.Client({ host: socketDir, port, user: "postgres", database: "postgres", connectionTimeoutMillis: 2_000 });
        probe.on("error", () => {});
        try {
          await probe.connect();
          await probe.query("SELECT 1");
          ready = true;
        } catch (err) {
          why = String((err as Error)?.message ?? err);
        } finally {
          await probe.end().catch(() => {});
        }
      }
      if (ready) break;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
      if (attempt < 3 && /could not bind|already in use/i.test(log)) continue;
      throw new Error(`PostgreSQL did not start (${why}):\n${log.slice(-4000)}`);
    }

    const admin = new pg.Client({ host: socketDir, port, user: "postgres", database: "postgres" });
    admin.on("error", () => {});
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${login} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
      await admin.query(`CREATE DATABASE ${database} OWNER ${login}`);
    } finally {
      await admin.end();
    }

    const url = `postgres://${encodeURIComponent(login)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
    return {
      url,
      host: "127.0.0.1",
      port,
      database,
      user: login,
      password,
      superuser: { host: socketDir, port, user: "postgres", database },
      dir,
      log: () => log,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
