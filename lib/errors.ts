// The server's errors: one base class with a code, which the tRPC layer maps to its own codes in
// one place (server/api/trpc.ts) and HTTP routes map to a status. Pure: no imports.

export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PRECONDITION_FAILED"
  | "PAYLOAD_TOO_LARGE"
  | "TOO_MANY_REQUESTS"
  | "SERVICE_UNAVAILABLE";

const HTTP_STATUS: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
};

const BRAND = Symbol.for("loopwright.AppError");

export class AppError extends Error {
  readonly [BRAND] = true;

  constructor(
    readonly code: AppErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

/**
 * Also true for an AppError from another copy of this module: bundling can give a class two
 * identities (one per chunk), so `instanceof` alone is not enough.
 */
export function isAppError(err: unknown): err is AppError {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

export class NotFound extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("NOT_FOUND", message, options);
  }
}

/** What the user asked for conflicts with the state it finds (a run still going, the current model). */
export class Precondition extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("PRECONDITION_FAILED", message, options);
  }
}

export class BadRequest extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("BAD_REQUEST", message, options);
  }
}

/** No one signed in, or a key that is unknown, revoked or expired. */
export class Unauthorized extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("UNAUTHORIZED", message, options);
  }
}

/** Signed in, but the role does not allow it. */
export class Forbidden extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("FORBIDDEN", message, options);
  }
}

export class TooManyRequests extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("TOO_MANY_REQUESTS", message);
  }
}
