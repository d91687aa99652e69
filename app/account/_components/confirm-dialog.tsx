"use client";
// "Are you sure?" before something that cannot be undone (revoke, remove, withdraw).
import type { ReactNode } from "react";
import { BUTTON, Dialog } from "@/app/flows/_components/dialog";
import { FormError } from "./forms";

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  pendingLabel,
  pending,
  error,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  pending: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <div className="mt-3 text-sm leading-relaxed text-ink-soft">{children}</div>
      <FormError>{error}</FormError>
      <div className="mt-5 flex justify-end gap-2">
        <button type="button" onClick={onClose} className={BUTTON.secondary}>
          Cancel
        </button>
        <button type="button" disabled={pending} onClick={onConfirm} className={BUTTON.danger}>
          {pending ? pendingLabel : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
