// GET /api/audit.csv: the audit log as a CSV file, for admins. The same filters as the Audit log
// page, as query parameters (app/admin/_components/audit-params.ts); up to 10,000 entries, newest
// first. Cells are neutralised against formula injection (lib/csv.ts).
import { NextResponse } from "next/server";
import { parseAuditParams } from "@/app/admin/_components/audit-params";
import { audit } from "@/db/store";
import { toCsv } from "@/lib/csv";
import { record } from "@/server/access";
import { errorResponse, routeUser } from "@/server/route-access";
import { getStore } from "@/server/store";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const HEADER = ["time", "actor", "action", "target", "outcome", "detail", "ip", "actor_id", "id"];

export async function GET(req: Request) {
  try {
    const user = await routeUser(req, "admin", "export the audit log");
    const parsed = parseAuditParams(new URL(req.url).searchParams);
    if (!parsed.ok) return NextResponse.json({ error: parsed.message, param: parsed.param }, { status: 400 });

    const store = await getStore();
    const rows = await audit.list(store, { ...parsed.query, limit: parsed.limit });
    await record(store, user, "audit.export", { detail: { ...parsed.query, rows: rows.length } });

    const csv = toCsv(
      HEADER,
      rows.map((r) => [new Date(r.at).toISOString(), r.actor, r.action, r.target, r.outcome, r.detail ?? "", r.ip, r.actorId, r.id]),
      { bom: true },
    );
    const date = new Date().toISOString().slice(0, 10);
    return new NextResponse(csv, {
      status: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="loopwright-audit-${date}.csv"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    return errorResponse(err, "audit.csv");
  }
}
