// Accounts and sessions, by better-auth over the control-plane store: e-mail and password (scrypt),
// sessions in HttpOnly, SameSite=Lax cookies, sign-in rate limits per address and per IP. Sign-up
// is closed: accounts are made by the setup link, an invite or `loopwright admin create`
// (server/services/accounts.ts). Sign-ins, failed ones included, go to the audit log.
import { betterAuth } from "better-auth";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import path from "node:path";
import { authDatabase } from "../db/store/auth-adapter";
import { audit, type Store } from "../db/store";
import { readOrCreateKeyFile } from "../lib/key-file";
import { keysDir } from "../lib/paths";
import { RateLimiter } from "../lib/rate-limit";
import { ROLES } from "../lib/roles";

export const SESSION_COOKIE_PREFIX = "loopwright";
export const MIN_PASSWORD = 10;

/** Failed sign-ins per e-mail address: 5 within 15 minutes, then wait. Per address, so changing IP does not help. */
export const signInLimiter = new RateLimiter({ limit: 5, windowMs: 15 * 60_000 });

function authSecret(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.LOOPWRIGHT_AUTH_SECRET?.trim();
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error("LOOPWRIGHT_AUTH_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)");
    return fromEnv;
  }
  return readOrCreateKeyFile(path.join(keysDir(), "auth.secret")).toString("base64");
}

const clientIp = (headers: Headers | undefined) => headers?.get("x-forwarded-for")?.split(",")[0]?.trim() || null;

function createAuth(store: Store, env: NodeJS.ProcessEnv = process.env) {
  const publicUrl = env.LOOPWRIGHT_PUBLIC_URL?.trim() || undefined;
  return betterAuth({
    appName: "Loopwright",
    basePath: "/api/auth",
    // The public URL when the operator gives one; else the request's own host, which the request
    // guard (proxy.ts) has already checked against the names this app answers to.
    baseURL: publicUrl ?? { allowedHosts: ["*"], fallback: "http://localhost:3000" },
    secret: authSecret(env),
    database: authDatabase(store),
    telemetry: { enabled: false },
    // The request guard (proxy.ts) already refuses foreign hosts and cross-site writes, so the
    // request's own origin is the trusted one.
    trustedOrigins: (request) => {
      const host = request?.headers.get("host");
      return host ? [`http://${host}`, `https://${host}`] : [];
    },
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: MIN_PASSWORD, maxPasswordLength: 256, revokeSessionsOnPasswordReset: true },
    // Table names are the plural ones (the adapter's usePlural): users, sessions, accounts, verifications.
    user: {
      additionalFields: { role: { type: [...ROLES], required: false, input: false, defaultValue: "viewer" } },
    },
    session: { expiresIn: 7 * 24 * 3600, updateAge: 24 * 3600 },
    rateLimit: { enabled: true, storage: "memory", window: 60, max: 300, customRules: { "/sign-in/email": { window: 60, max: 20 }, "/change-password": { window: 60, max: 10 } } },
    advanced: {
      cookiePrefix: SESSION_COOKIE_PREFIX,
      useSecureCookies: publicUrl?.startsWith("https://") ?? false,
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email = String((ctx.body as { email?: unknown } | undefined)?.email ?? "").trim().toLowerCase();
        const wait = signInLimiter.blockedFor(email);
        if (wait > 0) {
          await audit.append(store, { actor: email || "(no e-mail)", action: "auth.sign-in", outcome: "refused", detail: { reason: "too many failed attempts" }, ip: clientIp(ctx.headers) });
          throw new APIError("TOO_MANY_REQUESTS", { message: `Too many failed sign-ins for ${email}; try again in ${Math.ceil(wait / 60_000)} minute(s)` }, { "Retry-After": String(Math.ceil(wait / 1000)) });
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        const ip = clientIp(ctx.headers);
        if (ctx.path === "/sign-in/email") {
          const email = String((ctx.body as { email?: unknown } | undefined)?.email ?? "").trim().toLowerCase();
          const returned = ctx.context.returned;
          if (isAPIError(returned)) {
            if (returned.statusCode === 429) return;
            signInLimiter.hit(email);
            await audit.append(store, { actor: email || "(no e-mail)", action: "auth.sign-in", outcome: "failed", detail: { reason: returned.message }, ip });
          } else if (ctx.context.newSession) {
            signInLimiter.reset(email);
            const user = ctx.context.newSession.user;
            await audit.append(store, { actorId: user.id, actor: user.email, action: "auth.sign-in", ip });
          }
        } else if (ctx.path === "/sign-out" && ctx.context.session) {
          const user = ctx.context.session.user;
          await audit.append(store, { actorId: user.id, actor: user.email, action: "auth.sign-out", ip });
        }
      }),
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

const auths = new WeakMap<Store, Auth>();

/** One better-auth instance per store handle. */
export function authFor(store: Store): Auth {
  let auth = auths.get(store);
  if (!auth) auths.set(store, (auth = createAuth(store)));
  return auth;
}
