"use client";
// The Datasets page body: the upload area, the uploaded files and the run datasets, each list
// with the selected row's preview right under that row.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Command, Problem } from "@/app/_components/ui";
import type { UploadedFile } from "@/app/_components/upload-client";
import { useTRPC } from "@/trpc/react";
import { count } from "./format";
import { PreviewPanel, type Selection } from "./preview";
import { DatasetsTable, FilesTable, shortId, type Opener } from "./tables";
import { Uploader } from "./uploader";

type Selected = Selection & { list: "files" | "datasets"; opener?: Opener };

function Section({ title, aside, children }: { title: string; aside?: ReactNode; children: ReactNode }) {
  return (
    <section>
      <div className="mb-3 flex items-baseline justify-between gap-3">
        <h2 className="text-sm font-semibold text-ink">{title}</h2>
        {aside && <span className="text-xs text-ink-muted">{aside}</span>}
      </div>
      {children}
    </section>
  );
}

function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="rounded-xl border border-dashed border-line bg-surface px-8 py-7">
      <h3 className="text-sm font-semibold text-ink">{title}</h3>
      <div className="mt-1.5 text-sm text-ink-soft">{children}</div>
    </div>
  );
}

const Loading = ({ what }: { what: string }) => (
  <div aria-busy="true" className="rounded-xl border border-line bg-surface px-4 py-6 text-sm text-ink-muted">
    Loading {what}…
  </div>
);

export function DatasetsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const files = useQuery(trpc.dataset.files.queryOptions());
  const datasets = useQuery(trpc.dataset.list.queryOptions());
  const [selected, setSelected] = useState<Selected | null>(null);

  const toggle = (next: Selected) => setSelected((cur) => (cur?.id === next.id ? null : next));

  const uploaded = (file: UploadedFile) => {
    void queryClient.invalidateQueries({ queryKey: trpc.dataset.files.queryKey() });
    setSelected({ id: file.id, label: file.name, list: "files" });
  };

  const preview = (list: Selected["list"]) =>
    selected?.list === list ? <PreviewPanel key={selected.id} selection={selected} opener={selected.opener ?? null} onClose={() => setSelected(null)} /> : null;

  return (
    <div className="space-y-10">
      <Section title="Uploaded files" aside={files.data?.length ? `${count(files.data.length)} ${files.data.length === 1 ? "file" : "files"}` : undefined}>
        <Uploader onUploaded={uploaded} />
        <div className="mt-4">
          {files.isPending ? (
            <Loading what="files" />
          ) : files.isError ? (
            <Problem>Could not list the uploaded files: {files.error.message}</Problem>
          ) : files.data.length === 0 ? (
            <Empty title="No files yet">
              Upload a CSV or JSON file to use it in a flow&apos;s CSV source. From a terminal:
              <Command>npx loopwright upload customers.csv</Command>
            </Empty>
          ) : (
            <FilesTable files={files.data} selectedId={selected?.id} onSelect={(f, opener) => toggle({ id: f.id, label: f.name, list: "files", opener })} preview={preview("files")} />
          )}
        </div>
      </Section>

      <Section title="Produced by runs" aside={datasets.data?.length ? `${count(datasets.data.length)} Parquet tables` : undefined}>
        {datasets.isPending ? (
          <Loading what="datasets" />
        ) : datasets.isError ? (
          <Problem>Could not list the datasets: {datasets.error.message}</Problem>
        ) : datasets.data.length === 0 ? (
          <Empty title="Nothing produced yet">
            Every table a node passes on during a run is kept here as a Parquet file, named by its content. Run a flow and they appear here.
          </Empty>
        ) : (
          <DatasetsTable datasets={datasets.data} selectedId={selected?.id} onSelect={(d, opener) => toggle({ id: d.id, label: shortId(d.id), list: "datasets", opener })} preview={preview("datasets")} />
        )}
      </Section>
    </div>
  );
}
