// The errors the guarded HTTP client (lib/http-guard.ts) rejects with, and how a failure from the
// network is turned into one of the node errors, so a run can tell a bad URL from a flaky host.
import { ConfigError, DataError, NodeError, NotFoundError, TransientError } from "../nodes/sdk/errors";

/** A host or address the guard will not connect to. Never retried; `where` is "url". */
export class BlockedAddressError extends ConfigError {
  readonly host: string;
  readonly address?: string;
  readonly reason: string;
  constructor(message: string, d: { host: string; address?: string; reason: string }) {
    super(message, { field: "url" });
    this.host = d.host;
    this.address = d.address;
    this.reason = d.reason;
  }
}

/** The body was larger than `maxBytes`. */
export class ResponseTooLargeError extends DataError {
  readonly maxBytes: number;
  constructor(url: string, maxBytes: number) {
    super(`The response from ${url} is larger than ${formatBytes(maxBytes)}`, { where: "url" });
    this.maxBytes = maxBytes;
  }
}

/** More redirects than `maxRedirects`. */
export class TooManyRedirectsError extends DataError {
  constructor(url: string, max: number) {
    super(`${url} redirected more than ${max} times`, { where: "url" });
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

// ---------------------------------------------------------------------------------------------
// Errors from the network

const TLS_CODE = /^(CERT_|ERR_TLS_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|UNABLE_TO_(GET|VERIFY)_)/;

export interface Failing {
  url: URL;
  userSignal?: AbortSignal;
  timedOut: () => boolean;
  timeoutMs: number;
}

export function networkError(err: unknown, f: Failing): unknown {
  if (f.userSignal?.aborted) return f.userSignal.reason ?? err;
  if (err instanceof NodeError) return err;
  const host = f.url.host;
  if (f.timedOut()) return new TransientError(`${host} did not answer within ${+(f.timeoutMs / 1000).toFixed(3)} s`, { cause: err });
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === "ENOTFOUND") return new NotFoundError(`Host ${f.url.hostname} was not found (DNS)`, { where: "url", cause: err });
  if (code && TLS_CODE.test(code)) return new ConfigError(`The TLS certificate of ${host} is not valid (${code})`, { field: "url", cause: err });
  return new TransientError(`Could not reach ${host}: ${code ?? (err instanceof Error ? err.message : String(err))}`, { cause: err });
}
