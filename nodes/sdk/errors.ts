// The few errors a node may throw. The activity maps them to Temporal failures (retryable or
// not), the API maps them to its codes, and the canvas shows the message on the node.

export type NodeErrorCode = "BAD_CONFIG" | "BAD_DATA" | "NOT_FOUND" | "TRANSIENT";

export class NodeError extends Error {
  readonly code: NodeErrorCode;
  readonly retryable: boolean;
  /** Where the problem is: a config field path, a file and line, a column, a row. */
  readonly where?: string;

  constructor(code: NodeErrorCode, message: string, opts: { retryable: boolean; where?: string; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable;
    this.where = opts.where;
  }
}

/** The node's configuration cannot work (a missing column, an unknown model). Never retried. */
export class ConfigError extends NodeError {
  constructor(message: string, opts: { field?: string; cause?: unknown } = {}) {
    super("BAD_CONFIG", message, { retryable: false, where: opts.field, cause: opts.cause });
  }
}

/** The data is wrong (a malformed file, a value that cannot be used). Never retried. */
export class DataError extends NodeError {
  constructor(message: string, opts: { where?: string; cause?: unknown } = {}) {
    super("BAD_DATA", message, { retryable: false, where: opts.where, cause: opts.cause });
  }
}

/** Something the node needs does not exist (a file, a saved model). Never retried. */
export class NotFoundError extends NodeError {
  constructor(message: string, opts: { where?: string; cause?: unknown } = {}) {
    super("NOT_FOUND", message, { retryable: false, where: opts.where, cause: opts.cause });
  }
}

/** Network trouble, a busy service, a lock: worth another try with backoff. */
export class TransientError extends NodeError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super("TRANSIENT", message, { retryable: true, cause: opts.cause });
  }
}

/** Error type names Temporal must never retry (used in every activity's retry policy). */
export const NON_RETRYABLE_ERROR_TYPES = ["ConfigError", "DataError", "NotFoundError"] as const;

export function isNodeError(err: unknown): err is NodeError {
  return err instanceof NodeError;
}
