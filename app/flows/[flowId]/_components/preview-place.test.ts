// Where the editor's preview opens, for a canvas column at 1280x800 (left 240, top 104, 720 x 696).
import { describe, expect, it } from "vitest";
import { previewPlace } from "./preview-place";

const rect = (left: number, top: number, width: number, height: number) => ({ left, top, width, height, right: left + width, bottom: top + height });
const area = rect(240, 104, 720, 696);

describe("previewPlace", () => {
  it("attaches to the settings panel at the height of the button clicked there", () => {
    // The button at y 300..332 in the panel (x 976): centred on 316 - 104 = 212, 520 tall -> top 8 at least.
    expect(previewPlace(area, rect(976, 300, 120, 32))).toEqual({ right: 8, top: 8, width: 704, height: 520 });
    // Lower down: centred on the button (600 + 16 - 104 - 260 = 252), but not past the bottom (696 - 520 - 8 = 168).
    expect(previewPlace(area, rect(976, 600, 120, 32))).toEqual({ right: 8, top: 168, width: 704, height: 520 });
  });

  it("opens under a node on the canvas, or above it when there is more room there", () => {
    // Node at 400..620 across, 200..300 down: its bottom is 196 into the column, so the preview
    // starts at 204 with 696 - 8 - 204 = 484 px below; 704 wide, it starts at the column's left (8).
    expect(previewPlace(area, rect(400, 200, 220, 100))).toEqual({ left: 8, top: 204, width: 704, height: 484 });
    // Node low on the canvas (600..700): 84 px below, 600 - 104 - 16 = 480 above -> above, ending 8 px over the node.
    expect(previewPlace(area, rect(400, 600, 220, 100))).toEqual({ left: 8, top: 8, width: 704, height: 480 });
  });

  it("stays inside a wide column and keeps its width", () => {
    const wide = rect(240, 104, 1360, 976);
    expect(previewPlace(wide, rect(1000, 300, 220, 100))).toEqual({ left: 452, top: 304, width: 900, height: 520 });
  });
});
