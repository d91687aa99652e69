// `loopwright`: run, follow, validate and upload from the command line, as a client of the web
// app's API (tRPC over HTTP at $LOOPWRIGHT_URL/api/trpc, uploads at $LOOPWRIGHT_URL/api/uploads).
// It opens no database and dials no Temporal server itself: the app does that.
import { parseArgs } from "node:util";
import { CliError, DEFAULT_URL, explain, loopwrightUrl } from "./api";
import { upload, validate } from "./files";
import { runFlow, runStatus } from "./run";

const HELP = `loopwright <command>

  run <flow.json> [--json] [--flow-id ID]   save the flow as a version, run it through Temporal, print progress
                                            and a summary; with --json the last line is one JSON object
  status <runId> [--json] [--follow]        a run's summary (the same as at the end of \`run\`); with --follow,
                                            its progress until it ends
  validate <flow.json>                      check a flow file and list every problem
  upload <file>                             store a file in the data directory and print its id
                                            (use it as fileId in a CSV source)

The commands talk to the Loopwright web app (start it with \`npm start\`):
  LOOPWRIGHT_URL   where it runs (default ${DEFAULT_URL})

Exit codes: 0 the run succeeded (or the flow is valid, the file stored), 1 it failed, was cancelled or
the command could not be done, 2 the flow is invalid, 3 the run goes on but is not followed any more
(connection to the app lost: the --json object then has "connectionLost": true; \`status\`: not
finished yet).`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        "flow-id": { type: "string" },
        follow: { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  const [command, target] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return command || values.help ? 0 : 1;
  }
  const known = ["run", "status", "validate", "upload"];
  if (!known.includes(command)) throw new CliError(`Unknown command "${command}"\n\n${HELP}`);
  if (!target) throw new CliError(`${command}: ${command === "status" ? "which run id?" : "which file?"}\n\n${HELP}`);
  const base = loopwrightUrl();
  if (command === "run") return runFlow(base, target, { json: values.json!, flowId: values["flow-id"] });
  if (command === "status") return runStatus(base, target, { json: values.json!, follow: values.follow! });
  if (command === "validate") return validate(base, target);
  return upload(base, target);
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
