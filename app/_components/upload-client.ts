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

export function uploadFile(file: File, onProgress?: (fraction: number) => void): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/uploads");
    xhr.setRequestHeader("x-file-name", encodeURIComponent(file.name));
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
