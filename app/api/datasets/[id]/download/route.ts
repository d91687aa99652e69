// GET /api/datasets/<id>/download?format=csv|parquet[&view=<json>][&name=<file name>]: a run's
// dataset as a file, for editors (the same role as the data preview: viewers see no raw rows).
// With `view` (the preview's sort, filters and search, as lib/dataset-view.ts describes them) the
// rows the view shows, in its order; without, the whole dataset. DuckDB writes the file, which is
// streamed, never held in memory; CSV text cells are neutralised against formula injection.
import { NextResponse } from "next/server";
import { viewSpecSchema, type ViewSpec } from "@/lib/dataset-view";
import { record } from "@/server/access";
import { errorResponse, routeUser } from "@/server/route-access";
import { attachment, datasetDownload, runDataset } from "@/server/services/dataset-downloads";
import { getStore } from "@/server/store";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const fail = (error: string) => NextResponse.json({ error }, { status: 400 });

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const user = await routeUser(req, "editor", "download datasets");
    const { id } = await params;
    const query = new URL(req.url).searchParams;
    const format = query.get("format") ?? "csv";
    if (format !== "csv" && format !== "parquet") return fail(`format must be csv or parquet, not "${format}"`);
    let spec: ViewSpec | undefined;
    const view = query.get("view");
    if (view) {
      let json: unknown;
      try {
        json = JSON.parse(view);
      } catch {
        return fail("view must be JSON: {sort, filters, search}");
      }
      const parsed = viewSpecSchema.safeParse(json);
      if (!parsed.success) return fail(`view is not a sort, filters and search: ${parsed.error.issues.map((i) => `${i.path.join(".") || "view"}: ${i.message}`).join("; ")}`);
      spec = parsed.data;
    }

    const store = await getStore();
    const dataset = await runDataset(store, id);
    const download = await datasetDownload(dataset, format, spec, query.get("name") ?? undefined);
    try {
      await record(store, user, "dataset.download", { target: dataset.row.id, detail: { format, ...(spec ? { view: spec } : { whole: true }) } });
    } catch (err) {
      await download.body.cancel();
      throw err;
    }
    return new NextResponse(download.body, {
      status: 200,
      headers: {
        "content-type": download.contentType,
        "content-length": String(download.bytes),
        "content-disposition": attachment(download.fileName),
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    return errorResponse(err, "dataset download");
  }
}
