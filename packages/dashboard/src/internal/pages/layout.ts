import { html, type SafeHtml } from "../html.js";

/** A whole page: the stylesheet and script from the package, under the dashboard's base path. */
export function layout(base: string, title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="same-origin"><title>${title} · hookgate</title>
<link rel="stylesheet" href="${base}/assets/dashboard.css"></head>
<body><header><a href="${base}/">hookgate</a><span class="muted">deliveries</span></header>
<main>${body}</main><script src="${base}/assets/dashboard.js" defer></script></body></html>`;
}

/** A short page with one message: errors, refusals. */
export function messagePage(base: string, title: string, message: string, bad = true): SafeHtml {
  return layout(
    base,
    title,
    html`<h1>${title}</h1><div class="notice${bad ? " bad" : ""}">${message}</div><p><a href="${base}/">Back to deliveries</a></p>`,
  );
}
