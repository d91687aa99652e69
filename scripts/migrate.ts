// Bring the SQLite database of the data directory up to date (openDb applies pending migrations).
// `npm start` runs it before anything else; also usable on its own: `npx tsx scripts/migrate.ts`.
import { openDb } from "../db/client";
import { dbPath } from "../lib/paths";

const file = dbPath();
openDb(file).$client.close();
console.log(`[loopwright] Database ready: ${file}`);
