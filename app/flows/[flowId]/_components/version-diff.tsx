"use client";
// What changed between two versions, as the History dialog lists it: the name and description,
// each node's settings (node, field, old → new), nodes and connections added and removed.
import type { CatalogIndex } from "../_lib/canvas-graph";
import { allFields, fieldsOf, humanise } from "../_lib/json-schema-form";
import { nodeDisplayName } from "../_lib/save-refusal";
import { changeCount, formatValue, type DiffEdge, type DiffNode, type GraphDiff, type SettingChange } from "@/workflows/graph/diff";

/** A node as the editor names it: "Customers (csv-file-1)", or its type's label. */
function nodeName(n: DiffNode, catalog: CatalogIndex): string {
  return nodeDisplayName(n.id, n.label || catalog.get(n.type)?.label);
}

/** A setting's name as its form shows it ("Skip rows"), from the node type's schema. */
function settingName(c: SettingChange, type: string, catalog: CatalogIndex): string {
  if (c.part === "label") return "Label";
  if (c.part === "type") return "Node type";
  if (c.part === "options") return `Retries: ${humanise(c.field.split(".").pop() ?? c.field)}`;
  const schema = catalog.get(type)?.configSchema;
  const field = schema ? allFields(fieldsOf(schema)).find((f) => f.path === c.field) : undefined;
  return field?.label ?? c.field.split(".").map(humanise).join(" › ");
}

const edgeText = (e: DiffEdge) => `${e.source} › ${e.sourceHandle} → ${e.target} › ${e.targetHandle}`;

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section aria-label={title} className="mt-3">
      <h4 className="text-xs font-semibold tracking-wide text-ink-muted uppercase">{title}</h4>
      <ul className="mt-1 space-y-1 text-sm">{children}</ul>
    </section>
  );
}

function Change({ name, from, to }: { name: string; from: unknown; to: unknown }) {
  return (
    <li className="flex flex-wrap items-baseline gap-x-1.5">
      <span className="font-medium text-ink">{name}:</span>
      <span className="font-mono text-xs text-rose-700 line-through decoration-rose-300">{formatValue(from)}</span>
      <span aria-label="changed to" className="text-ink-muted">
        →
      </span>
      <span className="font-mono text-xs text-emerald-700">{formatValue(to)}</span>
    </li>
  );
}

export function VersionDiff({ diff, from, to, catalog }: { diff: GraphDiff; from: number; to: number; catalog: CatalogIndex }) {
  const n = changeCount(diff);
  return (
    <div data-testid="version-diff">
      <h3 className="text-sm font-semibold text-ink">
        Version {from} → version {to}: {n === 0 ? "no changes (nodes may have moved)" : `${n} change${n === 1 ? "" : "s"}`}
      </h3>
      {(diff.name || diff.description) && (
        <Section title="Flow">
          {diff.name && <Change name="Name" from={diff.name.from} to={diff.name.to} />}
          {diff.description && <Change name="Description" from={diff.description.from ?? undefined} to={diff.description.to ?? undefined} />}
        </Section>
      )}
      {diff.nodesChanged.length > 0 && (
        <Section title="Settings changed">
          {diff.nodesChanged.map(({ node, changes }) => (
            <li key={node.id} className="rounded-lg border border-line px-3 py-2">
              <div className="text-sm font-semibold text-ink">{nodeName(node, catalog)}</div>
              <ul className="mt-1 space-y-0.5">
                {changes.map((c) => (
                  <Change key={`${c.part}:${c.field}`} name={settingName(c, node.type, catalog)} from={c.from} to={c.to} />
                ))}
              </ul>
            </li>
          ))}
        </Section>
      )}
      {diff.nodesAdded.length > 0 && (
        <Section title="Nodes added">
          {diff.nodesAdded.map((x) => (
            <li key={x.id} className="text-emerald-800">+ {nodeName(x, catalog)}</li>
          ))}
        </Section>
      )}
      {diff.nodesRemoved.length > 0 && (
        <Section title="Nodes removed">
          {diff.nodesRemoved.map((x) => (
            <li key={x.id} className="text-rose-800">− {nodeName(x, catalog)}</li>
          ))}
        </Section>
      )}
      {diff.edgesAdded.length > 0 && (
        <Section title="Connections added">
          {diff.edgesAdded.map((e) => (
            <li key={edgeText(e)} className="font-mono text-xs text-emerald-800">+ {edgeText(e)}</li>
          ))}
        </Section>
      )}
      {diff.edgesRemoved.length > 0 && (
        <Section title="Connections removed">
          {diff.edgesRemoved.map((e) => (
            <li key={edgeText(e)} className="font-mono text-xs text-rose-800">− {edgeText(e)}</li>
          ))}
        </Section>
      )}
    </div>
  );
}
