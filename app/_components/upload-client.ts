// Browser side of POST /api/uploads. XMLHttpRequest rather than fetch: only XHR reports upload
// progress. The body is the File itself, so the browser streams it from disk.

export interface UploadedFile {
  id: string;
  name: string;
  bytes: number;
  rows: number;
  columns: { name: string; type: string }[];
  format: "csv" | "json";
  createdAt: number;
  /** With a drop: the drop, and the flows the upload starts. */
  drop?: string;
  startsFlows?: string[];
}

export const ACCEPT = ".csv,.tsv,.txt,.json,.ndjson,.jsonl";

function serverMessage(xhr: XMLHttpRequest, file: File): string {
  try {
    const body = JSON.parse(xhr.responseText) as { error?: unknown };
    if (typeof body.error === "string" && body.error) return body.error;
  } catch {
    // Not our JSON (a proxy's error page, say): fall through to the status line.
  }
  return `${file.name} could not be uploaded: the server answered ${xhr.status}${xhr.statusText ? ` ${xhr.statusText}` : ""}`;
}

let limit: Promise<number | null> | undefined;

/** The server's upload limit in bytes (null when it cannot be read: the server then decides). */
function uploadLimit(): Promise<number | null> {
  return (limit ??= fetch("/api/uploads")
    .then((r) => (r.ok ? (r.json() as Promise<{ maxBytes?: unknown }>) : {}))
    .then((b: { maxBytes?: unknown }) => (typeof b.maxBytes === "number" ? b.maxBytes : null))
    .catch(() => null));
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toLocaleString("en-US", { maximumFractionDigits: 1 })} MB`;

export async function uploadFile(file: File, onProgress?: (fraction: number) => void, opts: { drop?: string } = {}): Promise<UploadedFile> {
  const max = await uploadLimit();
  if (max !== null && file.size > max) {
    throw new Error(`${file.name} is ${mb(file.size)}; the limit is ${mb(max)} (an admin can raise it with LOOPWRIGHT_MAX_UPLOAD_MB)`);
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/uploads");
    xhr.setRequestHeader("x-file-name", encodeURIComponent(file.name));
    if (opts.drop) xhr.setRequestHeader("x-drop", opts.drop);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    if (onProgress) {
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress(Math.min(1, e.loaded / e.total));
      };
    }
    xhr.onload = () => {
      if (xhr.status === 201 || xhr.status === 200) {
        try {
          onProgress?.(1);
          resolve(JSON.parse(xhr.responseText) as UploadedFile);
        } catch {
          reject(new Error(`${file.name}: the server's answer was not readable`));
        }
      } else {
        reject(new Error(serverMessage(xhr, file)));
      }
    };
    xhr.onerror = () => reject(new Error(`${file.name} could not be uploaded: the server did not answer. Is Loopwright still running?`));
    xhr.onabort = () => reject(new Error(`${file.name}: the upload was cancelled`));
    xhr.send(file);
  });
}
