"use client";
// One input per field of a connection kind (from connection.kinds), each with its <label>, help and
// required mark; secret fields are write-only; and the hosts the connection may be sent to.
import { TriangleAlert } from "lucide-react";
import { useId, type ReactNode } from "react";
import { hostList, plainHttpShown, type FieldSpec, type FormState } from "./form-state";

export const INPUT =
  "w-full min-w-0 rounded-lg border border-line bg-surface px-3 py-1.5 text-sm text-ink outline-none placeholder:text-ink-muted/80 focus:border-accent focus:ring-2 focus:ring-accent/20";

export const SECRET_SET = "•••••• (set; leave empty to keep)";

/** Label (tied to the control), required mark, the control, help below. */
export function Labelled({ id, label, required, help, children }: { id: string; label: string; required?: boolean; help?: string; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <div className="flex items-baseline gap-2">
        <label htmlFor={id} className="text-sm font-medium text-ink">
          {label}
        </label>
        {required && (
          <span aria-hidden="true" className="text-[10px] font-medium tracking-wide text-ink-muted uppercase">
            required
          </span>
        )}
      </div>
      {children}
      {help && (
        <p id={`${id}-help`} className="text-xs leading-snug text-ink-muted">
          {help}
        </p>
      )}
    </div>
  );
}

export function KindField({
  field,
  state,
  secretSet,
  onValue,
  onSecret,
}: {
  field: FieldSpec;
  state: FormState;
  /** A secret field that holds a stored value. */
  secretSet: boolean;
  onValue: (name: string, value: string | boolean) => void;
  onSecret: (name: string, value: string) => void;
}) {
  const id = `connection-${useId()}-${field.name}`;
  const common = { id, "aria-describedby": field.help ? `${id}-help` : undefined, "aria-required": field.required || undefined };
  const value = state.values[field.name];

  if (field.type === "boolean") {
    return (
      <div className="space-y-1">
        <div className="flex items-center gap-2">
          <input {...common} type="checkbox" checked={value === true} onChange={(e) => onValue(field.name, e.currentTarget.checked)} className="size-4 rounded border-line accent-accent" />
          <label htmlFor={id} className="text-sm font-medium text-ink">
            {field.label}
          </label>
        </div>
        {field.help && (
          <p id={`${id}-help`} className="pl-6 text-xs leading-snug text-ink-muted">
            {field.help}
          </p>
        )}
      </div>
    );
  }

  let control: ReactNode;
  if (field.secret) {
    control = (
      <input
        {...common}
        type="password"
        // Never filled from the server: an empty field keeps the stored value.
        value={state.secrets[field.name] ?? ""}
        onChange={(e) => onSecret(field.name, e.currentTarget.value)}
        placeholder={secretSet ? SECRET_SET : undefined}
        autoComplete="new-password"
        spellCheck={false}
        className={INPUT}
      />
    );
  } else if (field.type === "select") {
    const options = field.options ?? [];
    const text = typeof value === "string" ? value : "";
    control = (
      <select {...common} value={text} onChange={(e) => onValue(field.name, e.currentTarget.value)} className={INPUT}>
        {!options.includes(text) && <option value={text}>{text === "" ? "Choose…" : text}</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else {
    control = (
      <input
        {...common}
        type={field.type === "number" ? "number" : "text"}
        inputMode={field.type === "number" ? "numeric" : undefined}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => onValue(field.name, e.currentTarget.value)}
        autoComplete="off"
        spellCheck={false}
        className={INPUT}
      />
    );
  }
  return (
    <Labelled id={id} label={field.label} required={field.required} help={field.help}>
      {control}
    </Labelled>
  );
}

/** The hosts (one per line) and, for an HTTP API, which of them may be reached over plain http. */
export function HostsFields({ state, plainHttp, onHosts, onPlain }: { state: FormState; plainHttp: boolean; onHosts: (text: string) => void; onPlain: (hosts: string[]) => void }) {
  const id = `connection-${useId()}-hosts`;
  const hosts = hostList(state.hostsText);
  const allowed = plainHttpShown(state);
  const isAllowed = (h: string) => allowed.some((a) => a.toLowerCase() === h.toLowerCase());
  return (
    <div className="space-y-3 sm:col-span-2">
      <Labelled
        id={id}
        label="Hosts"
        help="One per line: the only hosts this connection's credentials may be sent to. It starts with the host the connection names; add others it may also reach."
      >
        <textarea
          id={id}
          aria-describedby={`${id}-help`}
          rows={Math.min(6, Math.max(2, hosts.length + 1))}
          value={state.hostsText}
          onChange={(e) => onHosts(e.currentTarget.value)}
          placeholder="e.g. api.example.com"
          spellCheck={false}
          autoComplete="off"
          className={`${INPUT} font-mono`}
        />
      </Labelled>
      {plainHttp && hosts.length > 0 && (
        <fieldset className="space-y-2 rounded-lg border border-line px-3 pt-1 pb-3">
          <legend className="px-1 text-sm font-medium text-ink">Plain http</legend>
          <p className="text-xs leading-snug text-ink-muted">Requests use https. Allow plain http only for a host inside a network you trust.</p>
          {hosts.map((h) => (
            <div key={h} className="flex items-center gap-2">
              <input
                id={`${id}-plain-${h}`}
                type="checkbox"
                checked={isAllowed(h)}
                onChange={(e) => onPlain(e.currentTarget.checked ? [...allowed, h] : allowed.filter((a) => a.toLowerCase() !== h.toLowerCase()))}
                className="size-4 rounded border-line accent-accent"
              />
              <label htmlFor={`${id}-plain-${h}`} className="text-sm text-ink">
                Allow plain http to <span className="font-mono">{h}</span>
              </label>
            </div>
          ))}
          {allowed.length > 0 && (
            <p role="note" className="flex gap-2 rounded-md bg-amber-50 px-3 py-2 text-xs leading-snug text-amber-900">
              <TriangleAlert className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
              Plain http sends the credentials unencrypted: anyone on the network between this server and {allowed.join(", ")} can read and reuse them.
            </p>
          )}
        </fieldset>
      )}
    </div>
  );
}
