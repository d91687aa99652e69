// Loaded with `node --import` (NODE_OPTIONS; Node 20 refuses --cpu-prof there): records a V8 CPU
// profile of this process (each thread its own file) and writes it to LOOPWRIGHT_CPU_PROFILE_DIR when the process exits.
import { Session } from "node:inspector";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { threadId } from "node:worker_threads";

const dir = process.env.LOOPWRIGHT_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.start");
  process.once("exit", () => {
    // A session in this thread answers synchronously, so the profile is written before the exit.
    session.post("Profiler.stop", (err, res) => {
      if (!err) writeFileSync(path.join(dir, `${path.basename(process.argv[1] ?? "node")}-${process.pid}-${threadId}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
