// What a node is called wherever people read it (the settings panel, previews, the run page): the
// name given on the canvas, else its kind's name ("Send e-mail"), else its id (a kind this install
// does not know). The id and type stay for links and tooltips.
export function nodeName(node: { id: string; label?: string | null }, kindLabel?: string | null): string {
  return node.label?.trim() || kindLabel || node.id;
}
