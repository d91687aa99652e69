// Secrets (passwords, API keys, connection URLs) never go into a flow: the flow names an
// environment variable of the worker, and only the worker reads it. The browser sees the name.
import { ConfigError } from "./errors";

export const SECRET_ENV_PREFIX = "LOOPWRIGHT_SECRET_";
/** Only variables with this prefix can be read, so a flow cannot ask for any other variable of the worker. */
export const SECRET_ENV_PATTERN = /^LOOPWRIGHT_SECRET_[A-Z0-9_]+$/;

/** The value of a secret variable; messages name the variable, never its value. */
export function readSecret(name: string, opts: { field: string; what: string }, env: NodeJS.ProcessEnv = process.env): string {
  if (!SECRET_ENV_PATTERN.test(name)) {
    throw new ConfigError(`${opts.what}: "${name}" must be the name of an environment variable starting with ${SECRET_ENV_PREFIX}`, { field: opts.field });
  }
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${opts.what}: the environment variable ${name} is not set on the worker`, { field: opts.field });
  return value;
}
