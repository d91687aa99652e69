// The ingest process (`npm start` starts it; several may run behind a load balancer): the
// Segment-compatible API on LOOPWRIGHT_INGEST_PORT (default 3100), committing to the control-plane
// store. On SIGTERM it stops taking requests and finishes the commits under way.
import { openStore } from "../../db/store";
import { createIngestServer } from "./server";

const port = Number(process.env.LOOPWRIGHT_INGEST_PORT || 3100);
const host = process.env.LOOPWRIGHT_INGEST_HOST || "localhost";
const store = await openStore();
const { server, committer } = createIngestServer(store, {
  maxPending: Number(process.env.LOOPWRIGHT_INGEST_MAX_PENDING) || undefined,
  log: (line) => console.error(`[ingest] ${line}`),
});
server.listen(port, host, () => console.log(`[ingest] listening on http://${host}:${port} (store: ${store.dialect})`));

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeIdleConnections();
    void committer.idle().then(async () => {
      console.log(`[ingest] stopped after ${committer.stats.events} events in ${committer.stats.commits} commits`);
      await store.close();
      process.exit(0);
    });
  });
}
