// Models: every trained model by name, its versions newest first with their status, test scores and
// input columns. A server component; the status buttons are client components that refresh it.
import type { Metadata } from "next";
import { Problem } from "@/app/_components/ui";
import { api } from "@/trpc/server";
import { EmptyModels, ModelCard } from "./_components/model-card";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  let models: Awaited<ReturnType<typeof api.model.list>> | undefined;
  let error: string | undefined;
  try {
    models = await api.model.list();
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const versions = models?.reduce((n, m) => n + m.versions.length, 0) ?? 0;

  return (
    <main className="mx-auto max-w-6xl space-y-8 px-6 py-8">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-ink">Models</h1>
          <p className="mt-1 max-w-3xl text-sm text-ink-muted">
            Each run of a Train classifier node saves a new version under the model&apos;s name; the first version is made current. A flow that scores by
            name uses the current version unless it pins one. Scores are on the held-out test rows.
          </p>
        </div>
        {models && models.length > 0 && (
          <span className="shrink-0 text-xs text-ink-muted">
            {models.length} {models.length === 1 ? "model" : "models"} · {versions} {versions === 1 ? "version" : "versions"}
          </span>
        )}
      </div>
      {error !== undefined ? (
        <Problem>Could not list the models: {error}</Problem>
      ) : !models?.length ? (
        <EmptyModels />
      ) : (
        <div className="space-y-6">
          {models.map((m) => (
            <ModelCard key={m.name} model={m} />
          ))}
        </div>
      )}
    </main>
  );
}
