// Bring the control-plane store up to date (openStore applies pending migrations): the SQLite file
// of the data directory, or PostgreSQL when DATABASE_URL is set. `npm start` runs it before
// anything else; also usable on its own: `npx tsx scripts/migrate.ts`.
import { openStore } from "../db/store";

const store = await openStore();
await store.close();
console.log(`[loopwright] Database ready (${store.dialect}): ${store.location}`);
