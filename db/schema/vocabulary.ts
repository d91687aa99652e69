// Enumerations the schema shares with the code that reads it.

/** "current": what scoring by name uses (one per name); "candidate": any other usable version; "archived": kept, loaded only when pinned. */
export const MODEL_STATUSES = ["candidate", "current", "archived"] as const;

export const FILE_FORMATS = ["csv", "json"] as const;
