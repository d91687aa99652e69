"use client";
// A field naming a connection (nodes mark it with connectionField: `"widget": "connection"` and
// `"connectionKinds"` in the JSON Schema): a select of the connections of those kinds. The flow
// keeps only the name; a saved name no longer among them stays visible as "(missing) name".
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";
import { describedBy, inputClass, requiredAttr, Shell, type FieldProps } from "./config-field-parts";

const KIND_NAMES: Record<string, string> = { postgres: "PostgreSQL", sqlite: "SQLite", smtp: "SMTP", http: "HTTP API" };

const kindNames = (kinds: readonly string[]) => kinds.map((k) => KIND_NAMES[k] ?? k).join(" or ");

export function ConnectionField(p: FieldProps) {
  const { field, id, current } = p;
  const trpc = useTRPC();
  // One list for every connection field (editors see names, kinds and hosts only), filtered here.
  const list = useQuery(trpc.connection.list.queryOptions({}, { staleTime: 30_000 }));
  const kinds = field.connectionKinds ?? [];
  const shown = (list.data ?? []).filter((c) => kinds.length === 0 || kinds.includes(c.kind));
  const name = typeof current === "string" ? current : "";
  const missing = name !== "" && !shown.some((c) => c.name === name);
  const several = kinds.length !== 1;
  const noteId = `${id}-connections`;

  const note = list.isError ? (
    <p id={noteId} className="text-xs break-words text-rose-700">
      Could not list the connections: {errorText(list.error)}
    </p>
  ) : list.isSuccess && (missing || shown.length === 0) ? (
    <div id={noteId} className="space-y-1 text-xs leading-snug">
      {missing && <p className="text-rose-700">There is no {kinds.length ? `${kindNames(kinds)} ` : ""}connection named “{name}” (any more): choose another.</p>}
      {shown.length === 0 && (
        <p className="text-ink-muted">
          No {kindNames(kinds) || "such"} connections yet: an admin adds them under{" "}
          <Link href="/connections" className="text-accent hover:underline">
            Connections
          </Link>
        </p>
      )}
    </div>
  ) : null;

  return (
    <Shell p={p} note={note}>
      <select
        id={id}
        value={name}
        onChange={(e) => p.set(e.currentTarget.value || undefined)}
        aria-invalid={p.invalid || undefined}
        aria-required={requiredAttr(field)}
        aria-describedby={describedBy(p.helpId, note ? noteId : undefined, p.errorId)}
        aria-busy={list.isPending || undefined}
        className={inputClass(p.invalid || (missing && list.isSuccess))}
      >
        <option value="">{list.isPending ? "Loading connections…" : "Choose a connection"}</option>
        {shown.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
            {several ? ` (${KIND_NAMES[c.kind] ?? c.kind})` : ""}
          </option>
        ))}
        {missing && <option value={name}>{list.isSuccess ? `(missing) ${name}` : name}</option>}
      </select>
    </Shell>
  );
}
