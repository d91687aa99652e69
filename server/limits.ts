// Per-user limits on what costs the server most, so one account (or a leaked key) cannot swamp it.
// Sign-in attempts are limited in server/auth.ts.
import { TooManyRequests } from "../lib/errors";
import { RateLimiter } from "../lib/rate-limit";
import type { Principal } from "./access";

const perMinute = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return new RateLimiter({ limit: Number.isInteger(n) && n > 0 ? n : fallback, windowMs: 60_000 });
};

const limiters = {
  run: perMinute("LOOPWRIGHT_RUNS_PER_MINUTE", 30),
  upload: perMinute("LOOPWRIGHT_UPLOADS_PER_MINUTE", 20),
};

/** Counts one `what` for the user, or refuses with how long to wait. */
export function takeLimit(what: keyof typeof limiters, user: Principal): void {
  const wait = limiters[what].take(user.userId);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new TooManyRequests(`Too many ${what}s from ${user.email} in the last minute; try again in ${seconds} s`, seconds);
  }
}
