// `loopwright`: run, follow, validate and upload from the command line, and manage keys, people,
// connections and event sources, as a client of the web app's API (tRPC over HTTP at
// $LOOPWRIGHT_URL/api/trpc, uploads at $LOOPWRIGHT_URL/api/uploads) with an API key. Those commands
// open no database and dial no Temporal server themselves: the app does that. `admin create` and
// `connections rekey` run on the server machine and open the store directly (cli/admin.ts).
import { parseArgs } from "node:util";
import { CliError, DEFAULT_URL, explain, loopwrightUrl, useApiKey } from "./api";
import { connectionsCreate, connectionsList, connectionsRemove, connectionsTest } from "./connections";
import { upload, validate } from "./files";
import { invite, keysCreate, keysList, keysRevoke, users } from "./keys";
import { runFlow, runStatus } from "./run";
import { sourcesCreate, sourcesList, sourcesRevoke } from "./sources";

const HELP = `loopwright <command>

Flows and runs (editor role; \`status\` viewer):
  run <flow.json> [--json] [--flow-id ID]   save the flow as a version, run it through Temporal, print progress
                                            and a summary; with --json the last line is one JSON object
  status <runId> [--json] [--follow]        a run's summary (the same as at the end of \`run\`); with --follow,
                                            its progress until it ends
  validate <flow.json>                      check a flow file and list every problem
  upload <file> [--drop <name>]             store a file in the data directory and print its id;
                                            with --drop, flows triggered by that drop run on it
                                            (use it as fileId in a CSV source)

API keys (your own; any role up to yours):
  keys create --role viewer|editor|admin [--name N] [--json]
                                            create a key and print it (only this once) alone on stdout:
                                            export LOOPWRIGHT_API_KEY=$(loopwright keys create --role editor)
  keys list [--all] [--json]                your keys (--all: everyone's, admins only)
  keys revoke <id|lw_prefix>                revoke a key: requests with it are refused from then on

People (admin role):
  users [--json]                            list the accounts and their roles
  invite --role R [--email E] [--days N] [--json]
                                            print an invite link (valid N days, default 7; for E only if given)

Connections (admin role; \`list\` editor):
  connections list [--json]                 names, kinds and hosts (never secrets)
  connections create --name N --kind postgres|sqlite|smtp|http [--field k=v ...] [--secret k=v ...]
                     [--secret-stdin k] [--host h ...] [--plain-http-host h ...] [--json]
                                            --field sets a setting (host=db.example.com, port=5432), --secret
                                            a secret field (kept encrypted, never shown again), --secret-stdin
                                            one read from standard input (keeps it out of shell history)
  connections test <name>                   try it; exit 1 when it fails, saying why (DNS, refused, TLS, auth)
  connections remove <name>                 delete it

Sources of customer events, for the ingest API (admin role):
  sources create --name N [--json]          create a source and print its write key (only this once) alone on
                                            stdout; senders give it as the basic-auth user name to the ingest API
  sources list [--json]                     names, write key prefixes, created, active or revoked
  sources revoke <name|id>                  revoke it: events sent with its write key are refused from then on

On the server machine (open the store directly, with the app's DATABASE_URL or LOOPWRIGHT_DATA_DIR):
  admin create --email E --name N [--password-stdin] [--json]
                                            create an admin account (the first or another) and an admin API
                                            key, printed once; without --password-stdin a strong password is
                                            generated and printed once
  connections rekey                         re-encrypt every connection secret under a new key:
                                            LOOPWRIGHT_NEW_ENCRYPTION_KEY, or a newly generated one

The commands talk to the Loopwright web app (start it with \`npm start\`):
  LOOPWRIGHT_URL       where it runs (default ${DEFAULT_URL})
  LOOPWRIGHT_API_KEY   the API key every request sends (Authorization: Bearer lw_...); --api-key KEY
                       overrides it (but shows the key to other users of this machine in \`ps\`).
                       Create one in the app under Account > API keys, with \`loopwright keys create\`,
                       or on the server machine with \`loopwright admin create\`.

Exit codes: 0 the run succeeded (or the flow is valid, the file stored, the command done), 1 it failed,
was cancelled or the command could not be done (no API key, a revoked one, a role too low, a failed
connection test), 2 the flow is invalid, 3 the run goes on but is not followed any more (connection to
the app lost: the --json object then has "connectionLost": true; \`status\`: not finished yet).`;

const OPTIONS = {
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h" },
  "api-key": { type: "string" },
  "flow-id": { type: "string" },
  drop: { type: "string" },
  follow: { type: "boolean", default: false },
  role: { type: "string" },
  name: { type: "string" },
  email: { type: "string" },
  days: { type: "string" },
  all: { type: "boolean", default: false },
  "password-stdin": { type: "boolean", default: false },
  kind: { type: "string" },
  field: { type: "string", multiple: true },
  secret: { type: "string", multiple: true },
  "secret-stdin": { type: "string" },
  host: { type: "string", multiple: true },
  "plain-http-host": { type: "string", multiple: true },
} as const;

type Option = keyof typeof OPTIONS;
type Values = ReturnType<typeof parse>["values"];

interface Command {
  /** What the command works on: nothing, or the name of its one argument for the error when it is missing. */
  arg?: string;
  options: Option[];
  /** Runs on the server machine, without the web app (no LOOPWRIGHT_URL, no API key). */
  local?: boolean;
  run(base: string, arg: string, v: Values): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  run: { arg: "which flow file?", options: ["json", "flow-id"], run: (b, a, v) => runFlow(b, a, { json: v.json!, flowId: v["flow-id"] }) },
  status: { arg: "which run id?", options: ["json", "follow"], run: (b, a, v) => runStatus(b, a, { json: v.json!, follow: v.follow! }) },
  validate: { arg: "which file?", options: [], run: (b, a) => validate(b, a) },
  upload: { arg: "which file?", options: ["drop"], run: (b, a, v) => upload(b, a, { drop: v.drop }) },
  "keys create": { options: ["role", "name", "json"], run: (b, _, v) => keysCreate(b, { role: v.role, name: v.name, json: v.json! }) },
  "keys list": { options: ["all", "json"], run: (b, _, v) => keysList(b, { all: v.all!, json: v.json! }) },
  "keys revoke": { arg: "which key? (its id, or lw_ and the first characters `keys list` shows)", options: ["json"], run: (b, a, v) => keysRevoke(b, a, { json: v.json! }) },
  users: { options: ["json"], run: (b, _, v) => users(b, { json: v.json! }) },
  invite: { options: ["role", "email", "days", "json"], run: (b, _, v) => invite(b, { role: v.role, email: v.email, days: v.days, json: v.json! }) },
  "connections list": { options: ["json"], run: (b, _, v) => connectionsList(b, { json: v.json! }) },
  "connections create": {
    options: ["name", "kind", "field", "secret", "secret-stdin", "host", "plain-http-host", "json"],
    run: (b, _, v) =>
      connectionsCreate(b, {
        name: v.name,
        kind: v.kind,
        fields: v.field ?? [],
        secrets: v.secret ?? [],
        secretStdin: v["secret-stdin"],
        hosts: v.host ?? [],
        plainHttpHosts: v["plain-http-host"] ?? [],
        json: v.json!,
      }),
  },
  "connections test": { arg: "which connection? (its name)", options: ["json"], run: (b, a, v) => connectionsTest(b, a, { json: v.json! }) },
  "connections remove": { arg: "which connection? (its name)", options: ["json"], run: (b, a, v) => connectionsRemove(b, a, { json: v.json! }) },
  "sources create": { options: ["name", "json"], run: (b, _, v) => sourcesCreate(b, { name: v.name, json: v.json! }) },
  "sources list": { options: ["json"], run: (b, _, v) => sourcesList(b, { json: v.json! }) },
  "sources revoke": { arg: "which source? (its name or id)", options: ["json"], run: (b, a, v) => sourcesRevoke(b, a, { json: v.json! }) },
  "connections rekey": { local: true, options: ["json"], run: async (_, __, v) => (await import("./admin")).rekey({ json: v.json! }) },
  "admin create": {
    local: true,
    options: ["email", "name", "password-stdin", "json"],
    run: async (_, __, v) => (await import("./admin")).adminCreate({ email: v.email, name: v.name, passwordStdin: v["password-stdin"]!, json: v.json! }),
  },
};

/** Commands with subcommands: `keys create`, `connections list`, ... */
const GROUPS = new Set(Object.keys(COMMANDS).filter((c) => c.includes(" ")).map((c) => c.split(" ")[0]!));

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, tokens: true, options: OPTIONS });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${HELP}`);
  }
}

/** Help for one group or command: the lines of HELP that name it. */
function helpFor(name: string): string {
  const lines = HELP.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith(`  ${name}`)) continue;
    out.push(lines[i]!);
    // Its continuation lines (deeper indented, not another command).
    while (i + 1 < lines.length && /^ {5,}\S/.test(lines[i + 1]!)) out.push(lines[++i]!);
  }
  return out.length ? `loopwright ${name}\n\n${out.join("\n")}` : HELP;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals, tokens } = parse(argv);
  const [first, second] = positionals;
  const name = first && GROUPS.has(first) && second ? `${first} ${second}` : first;
  if (values.help || !first) {
    console.log(first ? helpFor(first && GROUPS.has(first) ? (second ? `${first} ${second}` : first) : first) : HELP);
    return first || values.help ? 0 : 1;
  }
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    if (GROUPS.has(first)) throw new CliError(`${first}: ${second ? `unknown subcommand "${second}"` : "which one?"}\n\n${helpFor(first)}`);
    throw new CliError(`Unknown command "${first}"\n\n${HELP}`);
  }
  const args = positionals.slice(name!.split(" ").length);
  const arg = args[0];
  if (command.arg && !arg) throw new CliError(`${name}: ${command.arg}\n\n${helpFor(name!)}`);
  if (args.length > (command.arg ? 1 : 0)) throw new CliError(`${name}: unexpected "${args[command.arg ? 1 : 0]}"\n\n${helpFor(name!)}`);
  const allowed = new Set<string>([...command.options, "help", ...(command.local ? [] : ["api-key"])]);
  for (const t of tokens) {
    if (t.kind === "option" && !allowed.has(t.name)) throw new CliError(`${name} does not take --${t.name}\n\n${helpFor(name!)}`);
  }
  if (command.local) return command.run("", arg ?? "", values);
  useApiKey(values["api-key"] ?? process.env.LOOPWRIGHT_API_KEY, values["api-key"] !== undefined ? "--api-key" : "LOOPWRIGHT_API_KEY");
  return command.run(loopwrightUrl(), arg ?? "", values);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    let base = DEFAULT_URL;
    try {
      base = loopwrightUrl();
    } catch {
      // A bad LOOPWRIGHT_URL is itself the error being reported.
    }
    const { message, exitCode } = explain(err, base);
    console.error(message);
    process.exit(exitCode);
  },
);
