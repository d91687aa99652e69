// The decision ledger as a node sees it (ctx.ledger): keys from (run, node, customer); rows carry
// the flow and version.
//
// record() is durable when it returns, but it does not wait for a database transaction: each row is
// appended to this node's journal file in the shared folder first (one write call, no lock), and
// the rows reach the store in large transactions, every FLUSH_MS or FLUSH_ROWS rows, and when the
// node ends (flush(), which executeNode calls). A sender records each message right after the
// server accepted it, before that connection sends the next; a transaction per message was most of
// a sender's cost and contended with the ingest process for SQLite's one write lock.
//
// A killed worker leaves its journal behind; the next attempt at the same node of the same run
// reads it into the store before it checks what is settled, so a retry never acts twice on what
// the journal knows. The journal is as durable as the store's own commits on SQLite (written to the
// operating system, not synced to disk): it survives the process, not the machine.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { createHash, randomUUID } from "node:crypto";
import type { ParquetDatasetStore } from "../../db/dataset-store";
import { ledger, profiles, runs, type Store } from "../../db/store";
import type { NewLedgerRow } from "../../db/store/ledger";
import { isAppError } from "../../lib/errors";
import { DEFERRED_PREFIX } from "../../lib/guardrails-rules";
import { DIR_MODE, FILE_MODE } from "../../lib/paths";
import type { Ledger, RunTrigger } from "../../nodes/sdk/types";
import { fromRows } from "./trigger-data";

const LEDGER_COLUMNS: Record<string, string> = {
  key: "VARCHAR",
  run_id: "VARCHAR",
  flow_id: "VARCHAR",
  flow_version: "INTEGER",
  node_id: "VARCHAR",
  channel: "VARCHAR",
  customer_id: "VARCHAR",
  profile_id: "VARCHAR",
  status: "VARCHAR",
  reason: "VARCHAR",
  content: "JSON",
  model_name: "VARCHAR",
  model_version: "INTEGER",
  score: "DOUBLE",
  arm: "VARCHAR",
  provider_id: "VARCHAR",
  at: "TIMESTAMP",
};

/** Journaled rows are written to the store after this long at most... */
const FLUSH_MS = 250;
/** ...or once this many wait. */
const FLUSH_ROWS = 1_000;

/** One journal line: ledger rows, and the keys of deferral rows they replace. */
interface Entry {
  rows: NewLedgerRow[];
  replaces: string[];
}

export interface LedgerOptions {
  store: Store;
  sharedDir: string;
  runId: string;
  nodeId: string;
  datasets: ParquetDatasetStore;
  scratchFile: (ext?: string) => string;
  /** Profile ids the node has looked up (null: no profile), so rows need no second lookup. */
  profileIds: Map<string, string | null>;
}

/** The folder of the journals of every node running now (a file's name starts with its run and node). */
export function journalFolder(sharedDir: string): string {
  return path.join(sharedDir, "ledger-journal");
}

/** The start of the names of one node's journal files in one run (a hash: ids may be long or hold any character). */
export function journalPrefix(runId: string, nodeId: string): string {
  return `${createHash("sha256").update(`${runId}\u0000${nodeId}`).digest("hex").slice(0, 32)}.`;
}

/** The rows and replaced keys in a journal file, in order (a torn last line, from a crash mid-write, is skipped). */
export function readJournal(file: string): Entry {
  const out: Entry = { rows: [], replaces: [] };
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    let e: Entry;
    try {
      e = JSON.parse(line) as Entry;
    } catch {
      continue;
    }
    out.rows.push(...e.rows);
    out.replaces.push(...e.replaces);
  }
  return out;
}

/** Sent, or suppressed other than deferred: never overwritten, as in the table. */
const isSettled = (r: Pick<NewLedgerRow, "status" | "reason">) => r.status === "sent" || (r.status === "suppressed" && !r.reason?.startsWith(DEFERRED_PREFIX));

/**
 * Writes rows to the store in one transaction, one row per key (PostgreSQL refuses to upsert a row
 * twice in one statement): the latest, unless an earlier one is settled and the latest is not.
 */
function write(store: Store, e: Entry): Promise<void> {
  const byKey = new Map<string, NewLedgerRow>();
  for (const r of e.rows) {
    const before = byKey.get(r.key);
    if (!before || !isSettled(before) || isSettled(r)) byKey.set(r.key, r);
  }
  return ledger.record(store, [...byKey.values()], [...new Set(e.replaces)]);
}

/** Writes the journal files in `dir` that `pick` chooses to the store, oldest first, and removes them. Returns how many. */
async function foldJournals(store: Store, dir: string, pick: (name: string, file: string) => boolean): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  const files = names
    .filter((f) => f.endsWith(".ndjson") && pick(f, path.join(dir, f)))
    // Oldest first: "<run and node>.<time><sequence>-<random>.ndjson".
    .sort((a, b) => a.split(".")[1]!.localeCompare(b.split(".")[1]!));
  for (const f of files) {
    const file = path.join(dir, f);
    const e = readJournal(file);
    if (e.rows.length || e.replaces.length) await write(store, e);
    unlinkSync(file);
  }
  return files.length;
}

/**
 * Journals nobody wrote to for `idleMs` (their worker was killed and the node was not tried again,
 * e.g. the run was cancelled): their rows into the store, so the ledger still says what was done.
 * A worker does this when it starts. Writing a row twice changes nothing, so a slow writer's journal is safe too.
 */
export function sweepJournals(store: Store, sharedDir: string, idleMs = 10 * 60_000): Promise<number> {
  const before = Date.now() - idleMs;
  return foldJournals(store, journalFolder(sharedDir), (_, file) => {
    try {
      return statSync(file).mtimeMs < before;
    } catch {
      return false;
    }
  });
}

/** Segments this process opened: orders two opened in the same millisecond. */
let segments = 0;

export function ledgerFor(o: LedgerOptions): Ledger {
  const keyIn = (runId: string, customer: string) => `${runId}:${o.nodeId}:${customer}`;
  const key = (customer: string) => keyIn(o.runId, customer);
  const dir = journalFolder(o.sharedDir);
  const prefix = journalPrefix(o.runId, o.nodeId);
  /** Keys this attempt recorded as settled: the store may not have them yet. */
  const settledHere = new Set<string>();

  // Journals other attempts left (a killed worker): into the store before anything is checked.
  let recovered: Promise<unknown> | undefined;
  const recover = () => (recovered ??= foldJournals(o.store, dir, (f) => f.startsWith(prefix)));

  // This attempt's journal: a segment per flush, removed once its rows are in the store.
  let segment: { fd: number; file: string; entry: Entry } | null = null;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let failed: unknown;
  const flushSegment = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const s = segment;
    segment = null;
    if (s) {
      closeSync(s.fd);
      writing = writing.then(async () => {
        if (failed) return;
        try {
          await write(o.store, s.entry);
          unlinkSync(s.file);
        } catch (err) {
          // The segment stays: the next attempt reads it into the store.
          failed = err;
        }
      });
    }
    return writing.then(() => {
      if (failed) throw failed;
    });
  };
  const append = (rows: NewLedgerRow[], replaces: string[]) => {
    if (failed) throw failed;
    if (!segment) {
      mkdirSync(dir, { recursive: true, mode: DIR_MODE });
      const file = path.join(dir, `${prefix}${Date.now().toString(36).padStart(9, "0")}${(segments++).toString(36).padStart(6, "0")}-${randomUUID()}.ndjson`);
      segment = { fd: openSync(file, "a", FILE_MODE), file, entry: { rows: [], replaces: [] } };
    }
    writeSync(segment.fd, `${JSON.stringify({ rows, replaces })}\n`);
    for (const r of rows) if (isSettled(r)) settledHere.add(r.key);
    segment.entry.rows.push(...rows);
    segment.entry.replaces.push(...replaces);
    if (segment.entry.rows.length >= FLUSH_ROWS) void flushSegment().catch(() => undefined);
    else timer ??= setTimeout(() => void flushSegment().catch(() => undefined), FLUSH_MS);
  };

  let run: Promise<{ flowId: string; flowVersion: number; trigger?: RunTrigger | null }> | undefined;
  return {
    key,
    async settled(customers) {
      await recover();
      const done = await ledger.settled(o.store, customers.map(key));
      // This attempt's rows may still be on their way to the store.
      return new Set(customers.filter((c) => done.has(key(c)) || settledHere.has(key(c))));
    },
    async record(entries) {
      if (!entries.length) return;
      await recover();
      // A node run outside a recorded run (a node test, a preview) still records, under no flow.
      const { flowId, flowVersion, trigger } = await (run ??= runs.row(o.store, o.runId).catch((err: unknown) => {
        if (isAppError(err) && err.code === "NOT_FOUND") return { flowId: "", flowVersion: 0, trigger: null };
        throw err;
      }));
      const unknown = entries.map((e) => e.customer).filter((c) => !o.profileIds.has(c));
      if (unknown.length) {
        const found = await profiles.idsFor(o.store, unknown);
        for (const c of unknown) o.profileIds.set(c, found.get(c) ?? null);
      }
      // A part this node deferred (quiet hours) in the run above: what happens now replaces the deferral row there.
      const deferredIn = trigger?.parent?.node === o.nodeId ? trigger.parent.runId : null;
      const at = Date.now();
      append(
        entries.map((e) => ({
          key: key(e.customer),
          runId: o.runId,
          flowId,
          flowVersion,
          nodeId: o.nodeId,
          channel: e.channel,
          customerId: e.customer,
          profileId: o.profileIds.get(e.customer) ?? null,
          status: e.status,
          reason: e.reason ?? null,
          content: e.content ?? null,
          model: e.model ?? null,
          arm: e.arm ?? null,
          providerId: e.providerId ?? null,
          at,
        })),
        deferredIn ? entries.map((e) => keyIn(deferredIn, e.customer)) : [],
      );
    },
    flush: flushSegment,
    async dataset(filter = {}) {
      const rows = (await ledger.list(o.store, filter)).map((r) => ({
        key: r.key,
        run_id: r.runId,
        flow_id: r.flowId,
        flow_version: r.flowVersion,
        node_id: r.nodeId,
        channel: r.channel,
        customer_id: r.customerId,
        profile_id: r.profileId,
        status: r.status,
        reason: r.reason,
        content: r.content ? JSON.stringify(r.content) : null,
        model_name: r.model?.name ?? null,
        model_version: r.model?.version ?? null,
        score: r.model?.score ?? null,
        arm: r.arm,
        provider_id: r.providerId,
        at: r.at,
      }));
      return fromRows(o.datasets, () => o.scratchFile(".ndjson"), rows, LEDGER_COLUMNS);
    },
  };
}
