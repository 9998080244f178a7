import { createReceiver, type DeliveryJournal, memoryJournal, schemes } from "@hookgate/core";
import { signedRequest } from "@hookgate/testing";
import { describe, expect, it } from "vitest";
import { dashboard } from "./dashboard.js";

const TOKEN = "test-token-0123456789abcdef";
const ORIGIN = "http://dash.test";
const XSS = "<script>alert(1)</script>";
const IMG = '"><img src=x onerror=alert(2)>';

/** A journal filled through a real receiver: one handled delivery, one failed by its handler. */
async function setup(options: { receiver?: boolean; fail?: { fixed: boolean } } = {}) {
  const scheme = schemes.stripe({ secret: "whsec_dashboard_test" });
  const journal = memoryJournal();
  const fail = options.fail ?? { fixed: false };
  const receiver = createReceiver({ scheme, journal });
  receiver.on("invoice.paid", async () => {});
  receiver.on("invoice.payment_failed", async () => {
    if (!fail.fixed) throw new Error("card processor unreachable");
  });
  const send = async (payload: object, extraHeaders: Record<string, string> = {}) => {
    const signed = await signedRequest(scheme, "https://app.test/webhooks?token=sender-url-token", payload);
    const headers = new Headers(signed.headers);
    for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
    return receiver.fetch(new Request(signed.url, { method: "POST", headers, body: await signed.text() }));
  };
  expect((await send({ id: "evt_ok", type: "invoice.paid", data: { object: { amount: 100 } } })).status).toBe(
    200,
  );
  const failed = await send(
    { id: "evt_bad", type: "invoice.payment_failed", data: { object: { note: "Zoë ✓", amount: 5 } } },
    { authorization: "Bearer app-secret", "x-api-key": "proxy-key-123" },
  );
  expect(failed.status).toBe(500);
  const ui = dashboard({ journal, auth: { token: TOKEN }, ...(options.receiver ? { receiver } : {}) });
  /** A row's key (the receiver namespaces it): what the pages link by. */
  const keyOf = async (id: string) => (await journal.list({ id })).entries[0]!.key;
  return {
    ui,
    journal,
    receiver,
    send,
    fail,
    scheme,
    keyOf,
    bad: await keyOf("evt_bad"),
    ok: await keyOf("evt_ok"),
  };
}

const bearer = { authorization: `Bearer ${TOKEN}` };

/** The detail page's attempts table: each row's outcome and error text (markup stripped), in order. */
function attemptRows(page: string): Array<[string, string]> {
  const table = /<table id="attempts">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(page)?.[1] ?? "";
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      cell[1]!.replace(/<[^>]+>/g, "").trim(),
    );
    return [cells[1]!, cells[3]!];
  });
}

async function get(ui: ReturnType<typeof dashboard>, path: string, headers: Record<string, string> = bearer) {
  const response = await ui.fetch(new Request(`${ORIGIN}${path}`, { headers }));
  return { response, text: await response.text() };
}

/** A browser session: the cookie the `?token=` exchange sets, and the CSRF token of a page. */
async function signIn(ui: ReturnType<typeof dashboard>, base = "") {
  const exchanged = await ui.fetch(new Request(`${ORIGIN}${base}/?token=${TOKEN}`));
  const cookie = exchanged.headers.get("set-cookie")!.split(";")[0]!;
  return { cookie, exchanged };
}

function csrfIn(page: string): string {
  return /name="csrf" value="([^"]+)"/.exec(page)![1]!;
}

function post(
  ui: ReturnType<typeof dashboard>,
  form: Record<string, string | string[]>,
  headers: Record<string, string>,
) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) for (const v of [value].flat()) body.append(name, v);
  return ui.fetch(
    new Request(`${ORIGIN}/replay`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: body.toString(),
    }),
  );
}

describe("dashboard options", () => {
  it("requires auth, and never echoes a token in the error", () => {
    const journal = memoryJournal();
    expect(() => dashboard({ journal } as never)).toThrow(/dashboard option auth must be \{ token \}/);
    expect(() => dashboard({ journal, auth: { token: "" } })).toThrow(/invalid|must be/);
    try {
      dashboard({ journal, auth: { token: 12345678 } as never });
    } catch (error) {
      expect((error as { code?: string }).code).toBe("invalid_option");
      expect(String(error)).not.toContain("12345678");
    }
    expect(() => dashboard({ journal: {} as DeliveryJournal, auth: { token: TOKEN } })).toThrow(
      /dashboard option journal/,
    );
    expect(() => dashboard({ journal, auth: { token: TOKEN }, receiver: {} as never })).toThrow(
      /dashboard option receiver/,
    );
    expect(() => dashboard({ journal, auth: { token: TOKEN }, basePath: "admin" })).toThrow(/basePath/);
  });
});

describe("dashboard access", () => {
  it("serves nothing without the token: 401 on every route, with a wrong token or bearer", async () => {
    const { ui } = await setup({ receiver: true });
    for (const path of ["/", "/delivery?key=x", "/assets/dashboard.js", "/assets/dashboard.css", "/nope/"]) {
      const { response, text } = await get(ui, path, {});
      expect(response.status, path).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="hookgate"');
      expect(text).not.toContain("evt_ok");
    }
    expect((await get(ui, "/", { authorization: "Bearer wrong" })).response.status).toBe(401);
    expect((await get(ui, "/?token=wrong", {})).response.status).toBe(401);
    expect((await get(ui, `/?token=${TOKEN.slice(0, -1)}`, {})).response.status).toBe(401);
    expect((await post(ui, { mode: "confirm", key: "x" }, {})).status).toBe(401);
    expect((await get(ui, "/", { cookie: "hookgate_dashboard=forged.session" })).response.status).toBe(401);
  });

  it("exchanges ?token= once for an HttpOnly SameSite=Strict cookie and redirects without it", async () => {
    const { ui } = await setup();
    const response = await ui.fetch(new Request(`${ORIGIN}/admin/hooks/?status=failed&token=${TOKEN}`));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/admin/hooks/?status=failed");
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^hookgate_dashboard=[^;]+; Path=\/admin\/hooks; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(TOKEN);
    const page = await get(ui, "/admin/hooks/?status=failed", { cookie: cookie.split(";")[0]! });
    expect(page.response.status).toBe(200);
    expect(page.text).toContain("evt_bad");
    expect(page.text).not.toContain("evt_ok"); // the status filter applies
    expect(page.response.headers.get("referrer-policy")).toBe("same-origin");
    // Leading slashes never turn the redirect into one to another host.
    const sneaky = await ui.fetch(new Request(`${ORIGIN}//evil.test/?token=${TOKEN}`));
    expect(sneaky.headers.get("location")).toBe("/evil.test/");
  });

  it("a function decides access; its session cookie still binds the CSRF token", async () => {
    const journal = memoryJournal();
    const ui = dashboard({ journal, auth: (request) => request.headers.get("x-user") === "ada" });
    const denied = await ui.fetch(new Request(`${ORIGIN}/`));
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toBeNull();
    const allowed = await ui.fetch(new Request(`${ORIGIN}/`, { headers: { "x-user": "ada" } }));
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Strict/);
  });
});

describe("dashboard pages", () => {
  it("mounts under any path: the base comes from the request, and links stay under it", async () => {
    const { ui, bad } = await setup();
    const root = await ui.fetch(new Request(`${ORIGIN}/admin/hooks?token=${TOKEN}`));
    expect(root.status).toBe(308);
    expect(root.headers.get("location")).toBe(`/admin/hooks/?token=${TOKEN}`);
    const { text } = await get(ui, "/admin/hooks/");
    expect(text).toContain('href="/admin/hooks/assets/dashboard.css"');
    expect(text).toContain(`href="/admin/hooks/delivery?key=${encodeURIComponent(bad)}"`);
    const js = await get(ui, "/admin/hooks/assets/dashboard.js");
    expect(js.response.headers.get("content-type")).toMatch(/^text\/javascript/);
    const fixed = dashboard({ journal: memoryJournal(), auth: { token: TOKEN }, basePath: "/ops/" });
    expect((await get(fixed, "/ops/")).response.status).toBe(200);
    expect((await get(fixed, "/elsewhere/")).response.status).toBe(404);
  });

  it("lists with filters by status, type, scheme and time, a page at a time", async () => {
    const { ui, journal, bad, ok } = await setup();
    const at = Date.now();
    for (let i = 0; i < 60; i++) {
      await journal.record({
        id: `evt_bulk_${i}`,
        key: `github:evt_bulk_${i}`,
        scheme: "github",
        type: "push",
        receivedAt: new Date(at - 2 * 3_600_000 - i * 1000),
        rawBody: new TextEncoder().encode("{}"),
        headers: {},
        matchedSecret: { index: 0 },
      });
    }
    const rows = (text: string) => [...text.matchAll(/<tr data-key="([^"]+)"/g)].map((m) => m[1]);
    expect(rows((await get(ui, "/?status=failed")).text)).toEqual([bad]);
    expect(rows((await get(ui, "/?type=invoice.paid")).text)).toEqual([ok]);
    expect(rows((await get(ui, "/?scheme=stripe")).text).sort()).toEqual([bad, ok].sort());
    expect(rows((await get(ui, "/?since=1h")).text).sort()).toEqual([bad, ok].sort());
    const first = await get(ui, "/?scheme=github");
    expect(rows(first.text)).toHaveLength(50);
    const next = /href="\?([^"]+)" rel="next"/.exec(first.text)![1]!.replace(/&amp;/g, "&");
    const second = await get(ui, `/?${next}`);
    expect(rows(second.text)).toHaveLength(10);
    expect(new Set([...rows(first.text), ...rows(second.text)]).size).toBe(60);
    const fragment = await get(ui, "/?status=failed&fragment=rows");
    expect(fragment.text.trim().startsWith("<tr")).toBe(true);
    expect((await get(ui, "/?cursor=garbage")).response.status).toBe(400);
  });

  it("charts deliveries per minute by status, handling time and refusals by code", async () => {
    const { ui, journal } = await setup();
    await journal.reject({ code: "signature_mismatch", at: new Date() });
    const { text } = await get(ui, "/");
    expect(text).toMatch(/<rect class="f-handled"[^>]*><title>1 handled/);
    expect(text).toMatch(/<rect class="f-failed"[^>]*><title>1 failed/);
    expect(text).toContain("<title>p50:");
    expect(text).toMatch(/<text x="0" y="\d+">signature_mismatch<\/text>/);
    expect(text).toMatch(/<title>signature_mismatch: 1<\/title>/);
  });

  it("shows a delivery: its error, its attempts, its body pretty and raw, its headers with credentials hidden", async () => {
    const { ui, bad, keyOf } = await setup();
    const { response, text } = await get(ui, `/delivery?key=${encodeURIComponent(bad)}`);
    expect(response.status).toBe(200);
    expect(text).toContain("card processor unreachable");
    expect(text).toContain("handler_failed");
    expect(text).toContain("&quot;note&quot;: &quot;Zoë ✓&quot;"); // pretty, escaped
    expect(text).toContain("stripe-signature");
    expect(text).not.toContain("app-secret");
    expect(text).not.toContain("proxy-key-123");
    expect(text).not.toContain("sender-url-token");
    expect(text).not.toContain('id="replay"'); // no receiver: no replay button
    expect(attemptRows(text)).toEqual([["failed", "handler_failed card processor unreachable"]]);
    expect((await get(ui, "/delivery?key=nope")).response.status).toBe(404);
    const handled = await get(ui, `/delivery?key=${encodeURIComponent(await keyOf("evt_ok"))}`);
    expect(attemptRows(handled.text)).toEqual([["handled", ""]]);
  });

  it("shows each attempt's error escaped, without the credentials it carried, and says when old ones are gone", async () => {
    const journal = memoryJournal();
    const ui = dashboard({ journal, auth: { token: TOKEN } });
    await journal.record({
      id: "evt_x",
      key: "k:evt_x",
      scheme: "stripe",
      type: "invoice.paid",
      receivedAt: new Date("2030-01-01T00:00:00Z"),
      rawBody: new TextEncoder().encode("{}"),
      headers: {},
      matchedSecret: { index: 0 },
    });
    for (let i = 0; i < 24; i++) {
      await journal.update("k:evt_x", {
        status: "failed",
        at: new Date(Date.UTC(2030, 0, 1, 0, 1, i)),
        attempt: true,
        durationMs: 1500,
        error: { code: `c${i}`, message: `try ${i}` },
      });
    }
    await journal.update("k:evt_x", {
      status: "dead",
      at: new Date(Date.UTC(2030, 0, 1, 0, 2)),
      error: { code: IMG, message: `${XSS} while calling https://bot:hunter2@api.test/x` },
    });
    const { text } = await get(ui, "/delivery?key=k%3Aevt_x");
    const rows = attemptRows(text);
    expect(rows).toHaveLength(20);
    expect(rows[0]).toEqual(["failed", "c5 try 5"]); // oldest kept first
    expect(rows[19]![0]).toBe("dead");
    expect(text).toContain("5 earlier attempts are not shown: a journal keeps the last 20.");
    expect(text).toContain("1.5 s");
    expect(text).toContain('<time datetime="2030-01-01T00:01:21.500Z">'); // started 1.5 s before the step
    expect(text).not.toContain("<script>alert");
    expect(text).not.toContain("<img");
    const table = /<table id="attempts">[\s\S]*?<\/table>/.exec(text)![0];
    expect(table).toContain(
      "&lt;script&gt;alert(1)&lt;/script&gt; while calling https://bot:[redacted]@api.test/x",
    );
    expect(table).toContain("<code>&quot;&gt;&lt;img src=x onerror=alert(2)&gt;</code>");
    expect(table).not.toContain("hunter2");
  });

  it("renders journal data inert: markup in type, id, body and headers is escaped", async () => {
    const { ui, send, keyOf } = await setup();
    await send(
      { id: `evt_${XSS}`, type: `invoice.${IMG}`, data: { html: XSS } },
      { "x-note": XSS, [`x-${"a"}`]: IMG },
    );
    const list = await get(ui, "/");
    const detail = await get(ui, `/delivery?key=${encodeURIComponent(await keyOf(`evt_${XSS}`))}`);
    expect(detail.response.status).toBe(200);
    for (const { text } of [list, detail]) {
      expect(text).not.toContain("<script>alert");
      expect(text).not.toContain("<img");
      expect(text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    }
    expect(detail.text).toContain("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;");
    expect(list.response.headers.get("content-security-policy")).toContain("script-src 'self'");
  });
});

describe("dashboard replay", () => {
  it("without a receiver: no replay buttons, and the POST answers 501 saying what to pass", async () => {
    const { ui } = await setup();
    const { cookie } = await signIn(ui);
    const page = await get(ui, "/?status=failed", { cookie });
    expect(page.text).not.toContain("Replay");
    const response = await post(
      ui,
      { mode: "confirm", key: "x" },
      { ...bearer, "sec-fetch-site": "same-origin" },
    );
    expect(response.status).toBe(501);
    expect(await response.text()).toContain("dashboard({ journal, receiver, auth })");
  });

  it("refuses a replay without the session's CSRF token, or from another site", async () => {
    const { ui, journal, bad } = await setup({ receiver: true });
    const { cookie } = await signIn(ui);
    const page = await get(ui, `/delivery?key=${encodeURIComponent(bad)}`, { cookie });
    const csrf = csrfIn(page.text);
    const same = { cookie, "sec-fetch-site": "same-origin", origin: ORIGIN };
    const form = { mode: "confirm", key: bad };
    expect((await post(ui, form, same)).status).toBe(403); // no token
    expect((await post(ui, { ...form, csrf: `${csrf}x` }, same)).status).toBe(403);
    expect((await post(ui, { ...form, csrf }, { ...same, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post(ui, { ...form, csrf }, { ...same, origin: "https://evil.test" })).status).toBe(403);
    expect((await post(ui, { ...form, csrf }, { ...same, origin: "null" })).status).toBe(403);
    // Another session's token is not this one's.
    const other = await signIn(ui);
    expect((await post(ui, { ...form, csrf }, { ...same, cookie: other.cookie })).status).toBe(403);
    expect((await journal.get(bad))!.attempts).toBe(1);
    expect((await get(ui, "/replay", { cookie })).response.status).toBe(405);
  });

  it("a dry run re-verifies and lists, then the confirmed replay runs the handlers to handled", async () => {
    const { ui, journal, fail, bad } = await setup({ receiver: true });
    const { cookie } = await signIn(ui);
    const detail = await get(ui, `/delivery?key=${encodeURIComponent(bad)}`, { cookie });
    expect(detail.text).toContain('id="replay"');
    const same = { cookie, "sec-fetch-site": "same-origin", origin: ORIGIN };
    const dry = await post(ui, { mode: "dry-run", key: bad, csrf: csrfIn(detail.text) }, same);
    const dryText = await dry.text();
    expect(dry.status).toBe(200);
    expect(dryText).toContain("s-verified");
    expect(dryText).toContain(`name="key" value="${bad}"`);
    expect((await journal.get(bad))!.attempts).toBe(1); // nothing ran
    fail.fixed = true;
    const done = await post(ui, { mode: "confirm", key: bad, csrf: csrfIn(dryText) }, same);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Replayed 1 of 1");
    const entry = (await journal.get(bad))!;
    expect(entry.status).toBe("handled");
    expect(entry.attempts).toBe(2);
    // The page shows the failed attempt, then the replay that handled it.
    const after = await get(ui, `/delivery?key=${encodeURIComponent(bad)}`, { cookie });
    expect(attemptRows(after.text)).toEqual([
      ["failed", "handler_failed card processor unreachable"],
      ["handled", ""],
    ]);
    expect(after.text).not.toContain('id="last-error"'); // the replay cleared it
  });

  it("replays a filtered set (at most what the dry run showed); a Bearer client needs no CSRF token", async () => {
    const { ui, journal, send, fail, bad, keyOf } = await setup({ receiver: true });
    await send({ id: "evt_bad2", type: "invoice.payment_failed", data: {} });
    const bad2 = await keyOf("evt_bad2");
    const list = await get(ui, "/?status=failed", { cookie: (await signIn(ui)).cookie });
    expect(list.text).toContain("Replay these");
    const dry = await post(ui, { mode: "dry-run", status: "failed" }, bearer);
    const text = await dry.text();
    expect([...text.matchAll(/name="key" value="([^"]+)"/g)].map((m) => m[1]).sort()).toEqual(
      [bad, bad2].sort(),
    );
    fail.fixed = true;
    expect((await post(ui, { mode: "confirm", key: [bad, bad2] }, bearer)).status).toBe(200);
    expect((await journal.list({ status: "failed" })).entries).toHaveLength(0);
    // A filter that matches nothing replays nothing; no filter at all is never "everything".
    expect((await post(ui, { mode: "dry-run" }, bearer)).status).toBe(400);
  });
});
