// What a node's run() gets as `ctx`: the NodeContext and the services it hands out (data plane,
// model registry, profiles, ledger, events, guardrails, journeys). Re-exported by types.ts.
import type { ConnectionKind, ConnectionLookup, ConnectionOf } from "./connections";
import type { Column, DatasetRef, ModelRef, NewColumn } from "./types";

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The data plane as a node sees it (DuckDB over Parquet files). */
export interface DatasetStore {
  /** A FROM-clause expression that reads the dataset, e.g. `read_parquet('...')`. */
  from(ref: DatasetRef): string;
  /** Like `from`, plus a `file_row_number` column: the row's 0-based position in the dataset. */
  fromWithPosition(ref: DatasetRef): string;
  /** Quote a column or table name for SQL. */
  ident(name: string): string;
  /** Quote a value as a SQL string literal. */
  literal(value: string): string;
  /** Quote a file path for DuckDB's readers (read_csv, read_json, read_parquet): glob characters escaped, so it names exactly that file. */
  filePath(file: string): string;
  /** Run a SELECT and store its result as a new immutable dataset. */
  create(selectSql: string): Promise<DatasetRef>;
  /** Run a query and return every row (for small results: counts, statistics). */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Run a query and yield its rows in batches (for large results). */
  batches<T = Record<string, unknown>>(sql: string, batchSize?: number): AsyncIterable<T[]>;
  /** A new dataset: every column of `ref` plus one more, given in row order. */
  addColumn(ref: DatasetRef, column: Column, values: ArrayLike<number | null>): Promise<DatasetRef>;
  /** A new dataset: every column of `ref` plus these, each given in row order, written in one pass. */
  addColumns(ref: DatasetRef, columns: readonly NewColumn[]): Promise<DatasetRef>;
  schema(ref: DatasetRef): Promise<Column[]>;
  preview(ref: DatasetRef, limit?: number): Promise<Record<string, unknown>[]>;
}

/**
 * Where a version stands under its name. "current": the one loading by name gives (at most one
 * per name; the first version saved under a name becomes current by itself). "candidate": usable,
 * loaded only when pinned (every new version after the first starts here). "archived": kept for
 * the record, loaded only when pinned by version or id.
 */
export type ModelStatus = "candidate" | "current" | "archived";

/** A column a model reads when scoring. */
export interface ModelInputColumn {
  name: string;
  /** DuckDB type of the column in the training data, e.g. DOUBLE or VARCHAR; null when not recorded. */
  type: string | null;
}

export interface SavedModel {
  ref: ModelRef;
  kind: string;
  metrics: Record<string, unknown>;
  /** Everything scoring needs: weights and the fitted preprocessing. */
  artifact: unknown;
  datasetId: string | null;
  /** Set by the registry; absent only from registries that predate statuses. */
  status?: ModelStatus;
  /** The input columns and their types, when the trainer gave them (or the artifact names them); null when unknown. */
  inputSchema?: ModelInputColumn[] | null;
}

export interface ModelRegistry {
  /**
   * A new version under `name` (1, 2, ...). The first version of a name becomes its current one;
   * later ones are candidates until promoted. `inputSchema`: the columns the model needs to score.
   */
  save(model: {
    name: string;
    kind: string;
    metrics: Record<string, unknown>;
    artifact: unknown;
    datasetId?: string;
    inputSchema?: ModelInputColumn[];
  }): Promise<ModelRef>;
  /**
   * By id, or by name and version: exactly that version, even an archived one. By name alone: the
   * current version, or when none is promoted the newest version that is not archived; never an
   * archived one. NotFoundError, naming the model, when there is no such version.
   */
  load(ref: { id: string } | { name: string; version?: number }): Promise<SavedModel>;
  /** The current version of `name`; null when none is promoted. NotFoundError for a name never saved. */
  current(name: string): Promise<SavedModel | null>;
  /** Makes `version` the current version of `name`; the previous current one becomes a candidate. */
  promote(name: string, version: number): Promise<{ current: ModelRef; previous: ModelRef | null }>;
}

/** A request through the SSRF guard: what `fetch` takes, plus the guard's limits. */
export interface GuardedFetchInit {
  method?: string;
  headers?: HeadersInit;
  body?: string | Uint8Array | URLSearchParams | null;
  signal?: AbortSignal;
  /** Headers dropped when a redirect leaves the origin, besides those named like credentials. */
  sensitiveHeaders?: string[];
  /** For the whole call: every hop, and reading the body. Default 30 s. */
  timeoutMs?: number;
  /** Largest body (decompressed) the caller may read. Default 50 MB. */
  maxBytes?: number;
  /** Redirects to follow (each one re-checked); more is an error. Default 5. */
  maxRedirects?: number;
}

/** What can start a flow (a flow without a trigger node is started by hand). */
export const TRIGGER_KINDS = ["manual", "upload", "schedule", "event", "webhook", "audience"] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/** What started a run, recorded with it and handed to its trigger node. */
export interface RunTrigger {
  kind: TriggerKind;
  /** The cohort whose data the trigger node outputs (events, webhook calls, uploads, audience changes). */
  cohortId?: string;
  /** Where it came from, in words: a user's e-mail, a source's name, "schedule". */
  source?: string;
  /** Cohort size (events, calls or customers). */
  size?: number;
  /** First and last event time in the cohort (epoch ms). */
  firstAt?: number;
  lastAt?: number;
  /** The time a scheduled run was due (epoch ms). */
  scheduledAt?: number;
  /** Upload triggers: the uploaded file (its id) and its format. */
  fileId?: string;
  fileFormat?: string;
  /** A journey's released part: the run that held the customers, the step and the part. */
  parent?: { runId: string; node: string; part: string };
}

/** Customer profiles as a node reads and writes them. */
export interface ProfileAccess {
  /** Merges traits into each userId's profile (consent per channel); creates profiles for new ids. Returns how many were written. */
  writeTraits(rows: readonly { userId: string; traits: Record<string, unknown> }[]): Promise<number>;
  /** The profiles of these ids (a userId or an anonymousId each); an id without a profile is absent. */
  traits(ids: readonly string[]): Promise<Map<string, { profileId: string; traits: Record<string, unknown> }>>;
}

export type LedgerStatus = "sent" | "suppressed" | "failed";

/** One action towards one customer, as a node records it in the decision ledger. */
export interface LedgerEntry {
  /** The customer's id as the row gives it; with the run and node it makes the entry's key. */
  customer: string;
  /** email, webhook, sync, ... */
  channel: string;
  status: LedgerStatus;
  /** Why it was suppressed or failed, in words. */
  reason?: string;
  /** What was sent: template and version, or the payload's hash. */
  content?: Record<string, unknown>;
  /** The model, version and score that led to it. */
  model?: { name?: string; version?: number; score?: number };
  /** The experiment arm. */
  arm?: string;
  /** The provider's id for it (an SMTP Message-ID, an HTTP response id). */
  providerId?: string;
}

/** The inbox of customer events, read-only: what customers did, to join back to what flows decided. */
export interface EventAccess {
  /**
   * Track events named `event` with a time in [since, until] (epoch ms), in inbox order, as a dataset:
   * position, message_id, event, user_id, anonymous_id, profile_id (the profile their ids resolve
   * to now), timestamp, properties (JSON text).
   */
  read(filter: { event: string; since?: number; until?: number }): Promise<DatasetRef>;
}

/** The decision ledger, as a node sees it: check before acting, record after. */
export interface Ledger {
  /** The key of this run and node's action towards `customer`: the same on every retry. */
  key(customer: string): string;
  /** Of these customers, those whose action in this run and node is settled (sent or suppressed): do not act again. */
  settled(customers: readonly string[]): Promise<Set<string>>;
  /**
   * Records entries: once it resolves they are kept even if the worker is killed next (a retry of
   * the node sees them as settled). They reach the ledger's table shortly after, in groups, and all
   * of them before the node's run ends.
   */
  record(entries: readonly LedgerEntry[]): Promise<void>;
  /** Writes what was recorded through to the ledger's table now (done for every node when its run ends). */
  flush(): Promise<void>;
  /** Ledger rows (every flow's, newest first) as a dataset, for learning from what was done. */
  dataset(filter?: { flowId?: string; channel?: string; since?: number }): Promise<DatasetRef>;
}

/**
 * What a sync (reverse ETL) last landed in a destination: record key -> hash of the row as sent.
 * A node compares its rows with it to send only the changed ones, and saves it after each write.
 */
export interface SyncStateAccess {
  /** The state of `destination` (an id the node makes, e.g. connection and table): empty the first time. */
  load(destination: string): Promise<Map<string, string>>;
  /** After a successful write: the rows that landed (their hashes replace the old ones) and the records removed. */
  save(destination: string, landed: readonly { key: string; hash: string }[], removed: readonly string[]): Promise<void>;
}

/** What the guardrails decide about one customer's send: go now, not at all (why), or later (quiet hours). */
export type GuardrailDecision = { action: "allow" } | { action: "suppress"; reason: string } | { action: "defer"; until: number; reason: string };

/** The guardrails every flow's sends pass (consent, frequency caps, quiet hours, the global control group), kept by the admin. */
export interface GuardrailAccess {
  /**
   * Per customer, at send time: allow (a contact is reserved, counted against the channel's cap by
   * every flow), suppress with the ledger's reason, or defer to the end of quiet hours. One atomic
   * check across flows and workers. Transactional sends (`marketing: false`) are all allowed.
   */
  check(channel: string, customers: readonly string[], opts?: { marketing?: boolean }): Promise<Map<string, GuardrailDecision>>;
  /** Gives back the contacts reserved for customers whose send failed after all. */
  release(customers: readonly string[]): Promise<void>;
}

export interface NodeContext {
  /** What started the run. */
  trigger: RunTrigger;
  /**
   * The trigger's rows as a dataset: a cohort's events, webhook calls or uploaded file, or the
   * customers who entered or left an audience. Null when the run has none (started by hand or by
   * a schedule), or when the node is not the flow's trigger.
   */
  triggerData(): Promise<DatasetRef | null>;
  profiles: ProfileAccess;
  ledger: Ledger;
  /** The inbox of customer events (read-only). */
  events: EventAccess;
  /**
   * Links for messages: the unsubscribe link of `customer` (as the ledger knows them) for a
   * channel, signed by the app (`/u/<token>` on its public URL), and its token.
   */
  links: { unsubscribe(customer: string, channel?: "email"): { url: string; token: string } };
  /** Per-destination state of write-back syncs (what landed last time), for sending only changed rows. */
  syncState: SyncStateAccess;
  /** Guardrails: check every send to customers here first (consent, caps, quiet hours, global control). */
  guardrails: GuardrailAccess;
  runId: string;
  /** The flow this run belongs to; "" for a node run outside a recorded run (a node test). */
  flowId(): Promise<string>;
  /** Journey steps: holding customers until their event. */
  journey: JourneyAccess;
  nodeId: string;
  /** 1 on the first try, higher on retries. */
  attempt: number;
  /** Stable across retries of this node in this run: use it so a side effect never happens twice. */
  idempotencyKey: string;
  /** Aborted when the run is cancelled or the activity times out. */
  signal: AbortSignal;
  log: Logger;
  /** Report progress (0..1, or null when unknown); also keeps the activity's heartbeat alive. */
  progress(fraction: number | null, message?: string, details?: Record<string, unknown>): void;
  datasets: DatasetStore;
  models: ModelRegistry;
  /** Resolve a file path from config (relative paths are relative to the project directory). */
  resolvePath(path: string): string;
  /** The absolute path of an uploaded file, by its id; NotFoundError when there is none. */
  resolveUpload(fileId: string): Promise<string>;
  /**
   * A fresh path (not yet created) in this worker's scratch folder, for files a node writes and
   * reads while it runs. The node removes it when done; the worker sweeps any a crash left.
   */
  scratchFile(extension?: string): string;
  /**
   * Outbound HTTP, the only way a node should reach the network: private, loopback and metadata
   * addresses are refused (unless the admin allows a host), every redirect is checked again, and
   * time and size are limited. Guard refusals are ConfigErrors, network trouble TransientErrors.
   */
  fetch(url: string | URL, init?: GuardedFetchInit): Promise<Response>;
  /**
   * The connection (credentials kept by the admin) named `name`, decrypted, as an object of its
   * kind (`kind`, or one of several). A missing connection, or one of another kind, is a
   * ConfigError naming `lookup.field` (default "connection"). Each use is written to the audit log
   * (run, node, flow). Secrets never go into messages, metrics or logs.
   */
  connection<K extends ConnectionKind>(name: string, kind: K | readonly K[], lookup?: ConnectionLookup): Promise<ConnectionOf<K>>;
  /**
   * Where a node writes a file of its own making for people to collect: `<shared>/exports/<name>`
   * (folder created 0700). `name` is a plain file name (letters, digits, . _ -), never a path.
   */
  exportFile(name: string, lookup?: ConnectionLookup): string;
}

/** A journey step's view of its customers while it holds them (a wait for event). */
export interface JourneyAccess {
  /** Absent on the first call (decide whom to hold); then the part this call outputs. */
  phase?: "released" | "timed out";
  /** Holds these customers until an event named `event` of theirs passes `conditions`, or `deadline`. */
  hold(customers: readonly string[], until: { event: string; conditions: unknown[]; match: "all" | "any"; deadline: number }): Promise<void>;
  /** Takes the customers released since the last call, or (timed out) all still waiting; none twice. */
  take(what: "released" | "timed out"): Promise<string[]>;
  /** Enters customers into the flow's journey under its rules: per customer, null (entered) or why not. */
  enter(customers: readonly string[], rules: JourneyRules): Promise<Map<string, string | null>>;
  /** Of these customers, those who left the flow's journey by its exit event (since they entered). */
  exited(customers: readonly string[]): Promise<Set<string>>;
}

/** A flow's journey rules (its entry node's settings). */
export interface JourneyRules {
  reentry: "always" | "never" | "after";
  afterDays: number;
  concurrent: boolean;
  exit: { event: string; conditions: unknown[]; match: "all" | "any" } | null;
}
