// Where the editor's output preview opens: next to what was clicked, always inside the canvas column.
import type { CSSProperties } from "react";

/** Room kept between the preview and the edges of the area it opens over. */
const GAP = 8;
/** Below this the preview shows too few rows to be of use: it covers the node instead. */
const MIN_HEIGHT = 240;

type Rect = Pick<DOMRect, "left" | "top" | "right" | "bottom" | "width" | "height">;

/**
 * Where the preview goes in `area` (the canvas column), next to `anchor` (what was clicked): beside
 * the settings panel at the button's height when the click was there, else under (or above) the
 * node on the canvas. Always inside the area.
 */
export function previewPlace(area: Rect, anchor: Rect | null): CSSProperties {
  const width = Math.min(900, area.width - 2 * GAP);
  const height = Math.min(520, area.height - 2 * GAP);
  const clamp = (v: number, max: number) => Math.max(GAP, Math.min(v, max));
  if (!anchor) return { right: GAP, top: GAP, width, height };
  if (anchor.left >= area.right - GAP) {
    // In the settings panel, to the right: attached to its edge, centred on the button.
    return { right: GAP, top: clamp(anchor.top + anchor.height / 2 - area.top - height / 2, area.height - height - GAP), width, height };
  }
  // On the canvas: under the node, else above it, as tall as the room there allows.
  const left = clamp(anchor.left - area.left, area.width - width - GAP);
  const below = anchor.bottom - area.top + GAP;
  const roomBelow = area.height - GAP - below;
  const roomAbove = anchor.top - area.top - 2 * GAP;
  if (Math.max(roomBelow, roomAbove) >= MIN_HEIGHT) {
    const under = roomBelow >= Math.min(height, roomAbove);
    const h = Math.min(height, under ? roomBelow : roomAbove);
    return { left, top: under ? below : anchor.top - area.top - GAP - h, width, height: h };
  }
  // No room either side (a node as tall as the canvas): over the canvas's lower part.
  const top = area.height - height - GAP;
  return { left, top, width, height };
}

