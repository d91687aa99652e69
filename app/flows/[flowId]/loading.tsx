// While the editor's flow, catalog and last run load.
export default function EditorLoading() {
  return (
    <div className="flex h-[calc(100vh-3.5rem)] items-center justify-center text-sm text-ink-muted" role="status">
      Opening the flow…
    </div>
  );
}
