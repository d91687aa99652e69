// `npm run bench [csv|data|models|orchestration|canvas|store|auth|ingest|act|act-email|profiles|journeys|start]`: CSV ingest speed, the data nodes on a million rows,
// orchestration overhead per node, the editor with 500 nodes, control-plane writes per second on SQLite and
// PostgreSQL, and `npm start` until usable (cold and warm, against
// `npm run dev`), each against a baseline measured in the same process. Prints figures;
// asserts nothing about time.
import { canvasBench } from "./canvas";
import { csvIngestBench } from "./csv-ingest";
import { dataChainBench } from "./data-chain";
import { modelsBench } from "./models";
import { orchestrationBench } from "./orchestration";
import { startBench } from "./start";
import { storeBench } from "./store";
import { authBench } from "./auth";
import { ingestBench } from "./ingest";
import { actBench } from "./act";
import { actEmailBench } from "./act-email";
import { profilesBench } from "./profiles";
import { journeysBench } from "./journeys";

const only = process.argv[2];
if (!only || only === "csv") await csvIngestBench();
if (!only || only === "data") await dataChainBench();
if (!only || only === "models") await modelsBench();
if (!only || only === "orchestration") await orchestrationBench();
if (!only || only === "canvas") await canvasBench();
if (!only || only === "store") await storeBench();
if (!only || only === "auth") await authBench();
if (!only || only === "ingest") await ingestBench();
if (!only || only === "act") await actBench();
// The e-mail part of act alone (messages per second, then event accepted -> e-mail received).
if (only === "act-email") await actEmailBench();
if (!only || only === "profiles") await profilesBench();
if (!only || only === "journeys") await journeysBench();
if (!only || only === "start") await startBench({ cold: !process.argv.includes("--no-cold") });
process.exit(0);
