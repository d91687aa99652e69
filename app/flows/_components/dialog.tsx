"use client";
// Modal dialogs on the native <dialog> element: focus moves in and back, Escape closes, and the
// rest of the page is inert while it is open, without a library.
import { useEffect, useId, useRef, useState, type MouseEvent, type ReactNode } from "react";
import { Problem } from "@/app/_components/ui";

export const BUTTON = {
  primary:
    "inline-flex items-center justify-center gap-1.5 rounded-lg bg-ink px-3 py-1.5 text-sm font-medium text-canvas hover:bg-ink/85 disabled:cursor-not-allowed disabled:opacity-50",
  secondary:
    "inline-flex items-center justify-center gap-1.5 rounded-lg border border-line bg-surface px-3 py-1.5 text-sm font-medium text-ink-soft hover:bg-sunken hover:text-ink disabled:opacity-50",
  danger:
    "inline-flex items-center justify-center gap-1.5 rounded-lg bg-rose-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-rose-700 disabled:cursor-not-allowed disabled:opacity-50",
  icon: "inline-flex size-8 items-center justify-center rounded-md text-ink-muted hover:bg-sunken hover:text-ink disabled:opacity-40",
} as const;

/**
 * The props of a modal <dialog> that follows `open`: shown as a modal when it turns true, closed
 * when it turns false; Escape and a click on the backdrop call `onClose`. Spread them on the element.
 */
export function useModalDialog(open: boolean, onClose: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return {
    ref,
    onClose,
    // A click on the backdrop lands on the <dialog> itself; one inside lands on its content.
    onClick: (e: MouseEvent<HTMLDialogElement>) => {
      if (e.target === e.currentTarget) onClose();
    },
  };
}

export function Dialog({ open, title, onClose, children, wide = false }: { open: boolean; title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const modal = useModalDialog(open, onClose);
  const titleId = useId();

  return (
    <dialog
      {...modal}
      aria-labelledby={titleId}
      className={`m-auto ${wide ? "max-h-[calc(100vh-2rem)] w-[72rem]" : "w-[28rem]"} max-w-[calc(100vw-2rem)] rounded-xl border border-line bg-surface p-0 text-ink shadow-xl backdrop:bg-ink/25`}
    >
      {/* Rendered only while open, so every opening starts from fresh state. */}
      {open && (
        <div className="p-5">
          <h2 id={titleId} className="text-base font-semibold text-ink">
            {title}
          </h2>
          {children}
        </div>
      )}
    </dialog>
  );
}

/** Asks for a flow name: used to create and to rename. */
export function NameDialog({
  open,
  title,
  initial = "",
  submitLabel,
  pending,
  error,
  onSubmit,
  onClose,
}: {
  open: boolean;
  title: string;
  initial?: string;
  submitLabel: string;
  pending: boolean;
  error?: string | null;
  onSubmit: (name: string) => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <NameForm initial={initial} submitLabel={submitLabel} pending={pending} error={error} onSubmit={onSubmit} onClose={onClose} />
    </Dialog>
  );
}

export function NameForm({ initial, submitLabel, pending, error, onSubmit, onClose }: { initial: string; submitLabel: string; pending: boolean; error?: string | null; onSubmit: (name: string) => void; onClose: () => void }) {
  const [name, setName] = useState(initial);
  const inputId = useId();
  const empty = !name.trim();
  return (
    <form
      className="mt-4"
      onSubmit={(e) => {
        e.preventDefault();
        if (!empty && !pending) onSubmit(name.trim());
      }}
    >
      <label htmlFor={inputId} className="block text-sm font-medium text-ink-soft">
        Flow name
      </label>
      <input
        id={inputId}
        autoFocus
        value={name}
        maxLength={200}
        onChange={(e) => setName(e.target.value)}
        onFocus={(e) => e.currentTarget.select()}
        placeholder="e.g. Churn prevention"
        className="mt-1.5 w-full rounded-lg border border-line bg-surface px-3 py-2 text-sm text-ink outline-none placeholder:text-ink-muted/70 focus:border-accent focus:ring-2 focus:ring-accent/20"
      />
      {error && <Problem>{error}</Problem>}
      <div className="mt-5 flex justify-end gap-2">
        <button type="button" onClick={onClose} className={BUTTON.secondary}>
          Cancel
        </button>
        <button type="submit" disabled={empty || pending} className={BUTTON.primary}>
          {pending ? `${submitLabel}…` : submitLabel}
        </button>
      </div>
    </form>
  );
}
