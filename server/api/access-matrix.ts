// The role matrix: every tRPC procedure and every route handler with the lowest role that may use
// it. The matrix test (server/api/access.test.ts) checks the code against it and tries each entry as
// anonymous, viewer, editor and admin; tests/access-routes.test.ts does the same over HTTP. A new
// procedure or route needs a line here, or those tests fail.
import type { Access } from "./trpc";

/** Every procedure and who may call it. */
export const PROCEDURES: Record<string, Access> = {
  "health.status": "viewer",
  "catalog.list": "viewer",
  "flow.list": "viewer",
  "flow.get": "viewer",
  "flow.liveCounts": "viewer",
  "flow.validate": "viewer",
  "flow.create": "editor",
  "flow.rename": "editor",
  "flow.duplicate": "editor",
  "flow.delete": "editor",
  "flow.save": "editor",
  "flow.versions": "viewer",
  "flow.restore": "editor",
  "run.list": "viewer",
  "run.get": "viewer",
  "run.preview": "editor",
  "run.start": "editor",
  "run.cancel": "editor",
  "dataset.files": "viewer",
  "dataset.list": "viewer",
  "dataset.preview": "editor",
  "dataset.view": "editor",
  "model.list": "viewer",
  "model.promote": "editor",
  "model.archive": "editor",
  "setup.state": "public",
  "setup.complete": "public",
  "setup.invite": "public",
  "setup.acceptInvite": "public",
  "account.me": "public",
  "account.changePassword": "viewer",
  "account.signOutEverywhere": "viewer",
  "account.keys": "viewer",
  "account.createKey": "viewer",
  "account.revokeKey": "viewer",
  "users.list": "admin",
  "users.setRole": "admin",
  "users.remove": "admin",
  "users.invites": "admin",
  "users.invite": "admin",
  "users.revokeInvite": "admin",
  "users.keys": "admin",
  "users.revokeKey": "admin",
  "audit.list": "admin",
  "connection.kinds": "viewer",
  "connection.list": "editor",
  "connection.adminList": "admin",
  "connection.create": "admin",
  "connection.update": "admin",
  "connection.remove": "admin",
  "connection.test": "admin",
  "source.list": "admin",
  "source.create": "admin",
  "source.revoke": "admin",
  "source.events": "admin",
  "source.setUnplanned": "admin",
  "plan.list": "viewer",
  "plan.history": "viewer",
  "plan.save": "editor",
  "plan.failures": "viewer",
  "plan.replay": "editor",
  // customers (profiles)
  "customer.search": "editor",
  "customer.get": "editor",
  // webhook triggers
  "webhook.get": "editor",
  "webhook.rotate": "editor",
  // schedule triggers
  "schedule.describe": "viewer",
  "schedule.pause": "editor",
  "schedule.resume": "editor",
  "schedule.backfill": "editor",
  // e-mail
  "email.preview": "editor",
  // guardrails (caps, quiet hours, global control group): the admin's, for every flow
  "guardrails.get": "admin",
  "guardrails.save": "admin",
  // a flow's conversion goal and its results
  "goal.results": "viewer",
  "goal.save": "editor",
  "goal.remove": "editor",
  "overview.figures": "viewer",
  "columns.of": "editor",
  "template.list": "viewer",
  "template.use": "editor",
};

/** Every route handler (app/**\/route.ts, by URL) and who may call each method. */
export const ROUTES: Record<string, Record<string, Access | "per procedure">> = {
  "/api/trpc/[trpc]": { GET: "per procedure", POST: "per procedure" },
  "/api/auth/[...all]": { GET: "public", POST: "public" },
  "/api/uploads": { GET: "editor", POST: "editor" },
  "/api/audit.csv": { GET: "admin" },
  // a run's dataset as CSV or Parquet: raw rows, like the preview
  "/api/datasets/[id]/download": { GET: "editor" },
  // unsubscribe links in e-mails: the signed token is the authority
  "/u/[token]": { GET: "public", POST: "public" },
};
