// The unsubscribe link of every marketing e-mail (List-Unsubscribe), public: the signed token is
// the authority, not a session.
//   GET   a small page with a button (a GET never unsubscribes: mail scanners open links).
//   POST  unsubscribes at once: a mail provider's one-click POST (RFC 8058, body
//         "List-Unsubscribe=One-Click", sent without an Origin: proxy.ts lets it through for /u/)
//         or the page's button. Answers 200; an invalid or altered token is 404.
import { getStore } from "@/server/store";
import { isSubscribed, readToken, unsubscribe } from "@/server/services/unsubscribe";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY = 4096;

const HEADERS = { "cache-control": "no-store", "x-robots-tag": "noindex", "referrer-policy": "no-referrer" };

function page(status: number, title: string, body: string): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;background:#f6f7f9;color:#1f2937;display:flex;justify-content:center;padding:4rem 1rem}main{background:#fff;border:1px solid #e5e7eb;border-radius:12px;padding:2rem;max-width:28rem}h1{font-size:1.25rem;margin:0 0 .75rem}p{line-height:1.5;margin:.5rem 0}button{margin-top:1rem;background:#1f2937;color:#fff;border:0;border-radius:8px;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}</style>
</head><body><main><h1>${title}</h1>${body}</main></body></html>`;
  return new Response(html, { status, headers: { ...HEADERS, "content-type": "text/html; charset=utf-8" } });
}

const invalid = () => page(404, "This link does not work", "<p>This unsubscribe link is not valid. It may have been cut short: open it from the e-mail again, or reply to the e-mail to ask to be removed.</p>");

const clientIp = (req: Request) => req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || null;

export async function GET(_req: Request, { params }: { params: Promise<{ token: string }> }) {
  const target = readToken((await params).token);
  if (!target) return invalid();
  const store = await getStore();
  if (!(await isSubscribed(store, target))) {
    return page(200, "You are unsubscribed", "<p>You will not get marketing e-mails from us. If you did not mean to do this, contact us.</p>");
  }
  return page(
    200,
    "Unsubscribe from our e-mails?",
    `<p>You will stop getting marketing e-mails from us.</p><form method="post"><input type="hidden" name="confirm" value="1"><button type="submit">Unsubscribe</button></form>`,
  );
}

export async function POST(req: Request, { params }: { params: Promise<{ token: string }> }) {
  const target = readToken((await params).token);
  if (!target) return invalid();
  const length = Number(req.headers.get("content-length") ?? "0");
  const body = length > MAX_BODY ? "" : (await req.text()).slice(0, MAX_BODY);
  const oneClick = /(^|&)List-Unsubscribe=One-Click(&|$)/.test(body.trim()) || /name="List-Unsubscribe"\s+One-Click/.test(body);
  await unsubscribe(await getStore(), target, oneClick ? "one-click" : "page", clientIp(req));
  if (oneClick) return new Response("Unsubscribed.\n", { status: 200, headers: { ...HEADERS, "content-type": "text/plain; charset=utf-8" } });
  return page(200, "You are unsubscribed", "<p>You will not get marketing e-mails from us any more.</p>");
}
