// Secrets kept out of what nodes show: URLs in messages, metrics and logs.

/** Names of query parameters and headers whose values are secrets. */
export const SECRET_NAME = /key|token|secret|passw|pwd|auth|credential|signature|^sig$|session|cookie/i;

/** The URL as it may be shown: secret-looking query values and any user info replaced, no fragment. */
export function redactUrl(input: string | URL): string {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    return "(invalid URL)";
  }
  if (url.username || url.password) {
    url.username = "REDACTED";
    url.password = "";
  }
  if (url.search) {
    const out = new URLSearchParams();
    for (const [k, v] of new URLSearchParams(url.search)) out.append(k, SECRET_NAME.test(k) ? "REDACTED" : v);
    url.search = out.toString();
  }
  url.hash = "";
  return url.toString();
}
