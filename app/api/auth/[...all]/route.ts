// better-auth's endpoints: /api/auth/sign-in/email, /api/auth/sign-out, /api/auth/get-session, ...
// Sign-up is closed (server/auth.ts); accounts come from the setup link, invites and the CLI.
import { getStore } from "@/server/store";
import { authFor } from "@/server/auth";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function handler(req: Request) {
  return authFor(await getStore()).handler(req);
}

export { handler as GET, handler as POST };
