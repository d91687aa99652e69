// Keeps a list of long-running child processes alive (for `npm start`): each child runs in its own
// process group with its output prefixed line by line; when one exits on its own it is restarted
// after a delay that doubles with each crash in a row (1 s, 2 s, 4 s ... up to 30 s) and starts
// over once the child has run for a minute. Only stop() ends them: SIGTERM to the group, SIGKILL
// after a grace period, groups stopped in `stopOrder` (lowest first).
import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:os";
import { createInterface } from "node:readline";
import { reapGroup, signalTree } from "./process-group";

export interface CommandSpec {
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Put before each line the child prints, e.g. "[worker] ". */
  prefix?: string;
}

export interface ChildSpec {
  /** For messages: "The <name> exited ...". */
  name: string;
  /** Run this command ... */
  command?: CommandSpec;
  /**
   * ... or start one instance yourself: resolve with the process once it is usable, throw when it
   * could not start. Spawn it with `detached: true` so a stop reaches everything it starts.
   */
  launch?: () => Promise<ChildProcess>;
  /** Children with a lower number stop first; the next group waits until they are gone. Default 0. */
  stopOrder?: number;
  /** More to say after an unexpected exit, e.g. the last lines of the child's log file. */
  exitDetails?: () => string | undefined;
}

export interface SupervisorOptions {
  /** First restart delay (default 1 s); doubles with each crash in a row. */
  initialDelayMs?: number;
  /** Longest restart delay (default 30 s). */
  maxDelayMs?: number;
  /** A child that ran this long before exiting starts over at the first delay (default 60 s). */
  stableAfterMs?: number;
  /** Grace period between SIGTERM and SIGKILL on stop (default 10 s). */
  killAfterMs?: number;
  /** Our own messages (default: stderr, prefixed "[loopwright] "). */
  log?: (line: string) => void;
  /** Where children's prefixed lines go (default: our stdout and stderr). */
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** Told about every start, exit and scheduled restart (tests, benchmarks). */
  onEvent?: (event: SupervisorEvent) => void;
}

export type SupervisorEvent =
  | { type: "start"; name: string; pid: number; restarts: number }
  | { type: "exit"; name: string; pid: number; code: number | null; signal: NodeJS.Signals | null; ranMs: number; expected: boolean }
  | { type: "restart-scheduled"; name: string; delayMs: number; restart: number }
  | { type: "launch-failed"; name: string; error: string };

export interface ChildStatus {
  name: string;
  pid?: number;
  running: boolean;
  /** Restarts so far (not counting the first start). */
  restarts: number;
}

export class StoppedError extends Error {
  constructor() {
    super("the supervisor is stopping");
  }
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  // A launcher (a shell, tsx's CLI) reports its child's death by signal n as exit code 128 + n.
  const byNumber = code !== null && code > 128 ? Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] : undefined;
  return byNumber ? `exit code ${code}: its process was killed by ${byNumber}` : `exit code ${code}`;
}

export function formatDelay(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

interface Instance {
  process: ChildProcess;
  startedAt: number;
  exited: Promise<void>;
  done: boolean;
}

class Supervised {
  restarts = 0;
  /** Crashes in a row since the last stable run. */
  crashes = 0;
  current?: Instance;
  launching?: Promise<Instance | undefined>;
  timer?: NodeJS.Timeout;

  constructor(
    readonly spec: ChildSpec,
    private readonly owner: Supervisor,
  ) {}

  /** Start one instance; rejects when it could not be started at all. */
  async launchOnce(): Promise<Instance> {
    const proc = this.spec.command ? await this.spawnCommand(this.spec.command) : await this.spec.launch!();
    const instance: Instance = { process: proc, startedAt: Date.now(), done: false, exited: Promise.resolve() };
    instance.exited = new Promise<void>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (instance.done) return;
        instance.done = true;
        resolve();
        this.onExit(instance, code, signal);
      };
      if (proc.exitCode !== null || proc.signalCode !== null) finish(proc.exitCode, proc.signalCode);
      proc.once("exit", finish);
    });
    this.current = instance;
    this.owner.emit({ type: "start", name: this.spec.name, pid: proc.pid!, restarts: this.restarts });
    return instance;
  }

  private spawnCommand(c: CommandSpec): Promise<ChildProcess> {
    return new Promise((resolve, reject) => {
      const proc = spawn(c.cmd, c.args, { cwd: c.cwd, env: c.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      const prefix = c.prefix ?? `[${this.spec.name}] `;
      for (const [stream, sink] of [
        [proc.stdout!, this.owner.out],
        [proc.stderr!, this.owner.err],
      ] as const) {
        createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => sink(`${prefix}${line}`));
      }
      proc.once("spawn", () => resolve(proc));
      proc.on("error", (err) => {
        if (proc.pid === undefined) reject(err);
      });
    });
  }

  private onExit(instance: Instance, code: number | null, signal: NodeJS.Signals | null): void {
    const pid = instance.process.pid!;
    const ranMs = Date.now() - instance.startedAt;
    const expected = this.owner.stopping;
    this.owner.emit({ type: "exit", name: this.spec.name, pid, code, signal, ranMs, expected });
    if (expected) return;
    // Whatever it forked and left behind (e.g. the server process of `next start`) would hold on
    // to its port: clear the group before the new instance comes up.
    void reapGroup(pid, 2_000);
    const details = this.spec.exitDetails?.();
    this.scheduleRestart(`The ${this.spec.name} exited (${describeExit(code, signal)})`, ranMs, details);
  }

  private scheduleRestart(what: string, ranMs: number, details?: string): void {
    if (this.owner.stopping) return;
    const o = this.owner.options;
    if (ranMs >= o.stableAfterMs) this.crashes = 0;
    const delayMs = Math.min(o.initialDelayMs * 2 ** this.crashes, o.maxDelayMs);
    this.crashes++;
    this.restarts++;
    const restart = this.restarts;
    this.owner.log(`${what}; restarting it in ${formatDelay(delayMs)} (restart ${restart})${details ? `\n${details}` : ""}`);
    this.owner.emit({ type: "restart-scheduled", name: this.spec.name, delayMs, restart });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.owner.stopping) return;
      const attempt = Date.now();
      this.launching = this.launchOnce().catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        this.owner.emit({ type: "launch-failed", name: this.spec.name, error: message });
        this.current = undefined;
        this.scheduleRestart(`Could not restart the ${this.spec.name}: ${message}`, Date.now() - attempt);
        return undefined;
      });
    }, delayMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A start under way finishes first, then is stopped like any other.
    if (this.launching) await this.launching;
    const instance = this.current;
    if (!instance) return;
    const pid = instance.process.pid!;
    if (!instance.done) {
      signalTree(pid, "SIGTERM");
      const killAfter = this.owner.options.killAfterMs;
      const killer = setTimeout(() => {
        this.owner.log(`The ${this.spec.name} did not stop within ${formatDelay(killAfter)}; killing it.`);
        signalTree(pid, "SIGKILL");
      }, killAfter);
      await instance.exited;
      clearTimeout(killer);
    }
    await reapGroup(pid, 2_000);
  }

  status(): ChildStatus {
    const running = Boolean(this.current && !this.current.done);
    return { name: this.spec.name, pid: running ? this.current!.process.pid : undefined, running, restarts: this.restarts };
  }
}

export class Supervisor {
  readonly options: Required<Pick<SupervisorOptions, "initialDelayMs" | "maxDelayMs" | "stableAfterMs" | "killAfterMs">>;
  readonly log: (line: string) => void;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  private readonly children: Supervised[] = [];
  private readonly onEvent?: (event: SupervisorEvent) => void;
  private stopped?: Promise<void>;

  constructor(o: SupervisorOptions = {}) {
    this.options = {
      initialDelayMs: o.initialDelayMs ?? 1_000,
      maxDelayMs: o.maxDelayMs ?? 30_000,
      stableAfterMs: o.stableAfterMs ?? 60_000,
      killAfterMs: o.killAfterMs ?? 10_000,
    };
    this.log = o.log ?? ((line) => console.error(`[loopwright] ${line}`));
    this.out = o.stdout ?? ((line) => process.stdout.write(`${line}\n`));
    this.err = o.stderr ?? ((line) => process.stderr.write(`${line}\n`));
    this.onEvent = o.onEvent;
  }

  get stopping(): boolean {
    return this.stopped !== undefined;
  }

  emit(event: SupervisorEvent): void {
    this.onEvent?.(event);
  }

  /**
   * Start a child and keep it running. Resolves with its first process once started (a launcher's
   * once it is usable); rejects when that first start fails, and then does not retry.
   */
  async add(spec: ChildSpec): Promise<ChildProcess> {
    if (!spec.command === !spec.launch) throw new Error(`${spec.name}: give either a command or a launch function`);
    if (this.stopping) throw new StoppedError();
    const child = new Supervised(spec, this);
    this.children.push(child);
    const first = child.launchOnce();
    child.launching = first.then(
      (i) => i,
      () => undefined,
    );
    const instance = await first.catch((err: unknown) => {
      this.children.splice(this.children.indexOf(child), 1);
      throw err;
    });
    return instance.process;
  }

  status(): ChildStatus[] {
    return this.children.map((c) => c.status());
  }

  /** Stop every child, group by group (lowest `stopOrder` first), and restart none. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      const orders = [...new Set(this.children.map((c) => c.spec.stopOrder ?? 0))].sort((a, b) => a - b);
      for (const order of orders) await Promise.all(this.children.filter((c) => (c.spec.stopOrder ?? 0) === order).map((c) => c.stop()));
    })();
    return this.stopped;
  }
}
