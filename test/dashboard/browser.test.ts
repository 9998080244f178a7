// `hookgate ui` end to end: a real CLI child process over a SQLite journal that a real receiver
// wrote, driven by a real Chromium through playwright-core.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createReceiver, schemes } from "@hookgate/core";
import { sqliteJournal } from "@hookgate/sqlite";
import { signedRequest } from "@hookgate/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeNeeding } from "../support/services.js";
import { SECRET } from "./ui-receiver.js";

/** Debian's Chromium (`apt-get install -y chromium`); `HOOKGATE_CHROMIUM` names another binary. */
const CHROMIUM = process.env.HOOKGATE_CHROMIUM ?? "/usr/bin/chromium";
const root = fileURLToPath(new URL("../../", import.meta.url));
/** `HOOKGATE_SCREENSHOTS=1` rewrites the docs' screenshots; otherwise they are taken and checked only. */
const WRITE_SCREENSHOTS = process.env.HOOKGATE_SCREENSHOTS === "1";

const dir = mkdtempSync(join(tmpdir(), "hookgate-ui-browser-"));
const journalPath = join(dir, "hookgate.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let child: ChildProcess | undefined;
let browser: Browser | undefined;
let attacker: Server | undefined;
let printed = "";

/** Writes two deliveries through a real receiver: one handled, one whose handler throws. */
async function journalDeliveries() {
  const scheme = schemes.stripe({ secret: SECRET });
  const journal = sqliteJournal({ path: journalPath });
  const receiver = createReceiver({ scheme, journal });
  receiver.on("invoice.paid", async () => {});
  receiver.on("invoice.payment_failed", async () => {
    throw new Error("card processor unreachable");
  });
  const send = async (payload: object) =>
    (await receiver.fetch(await signedRequest(scheme, "https://app.test/webhooks", payload))).status;
  expect(await send({ id: "evt_paid_1", type: "invoice.paid", data: { object: { amount: 1200 } } })).toBe(
    200,
  );
  expect(
    await send({
      id: "evt_failed_1",
      type: "invoice.payment_failed",
      data: { object: { customer: "cus_42", note: "<script>alert(1)</script>" } },
    }),
  ).toBe(500);
  await journal.close();
}

/** Starts `hookgate ui` as a child process and resolves with the URL it prints. */
function startUi(): Promise<string> {
  const cli = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "packages/cli/src/cli.ts",
      "ui",
      "--journal",
      `sqlite:${journalPath}`,
      "--receiver",
      "test/dashboard/ui-receiver.ts",
      "--port",
      "0",
    ],
    { cwd: root, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  child = cli;
  return new Promise((resolve, reject) => {
    let errors = "";
    cli.stdout!.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(printed)?.[0];
      if (url) resolve(url);
    });
    cli.stderr!.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    cli.once("exit", (code) => reject(new Error(`hookgate ui exited ${code}: ${errors}`)));
  });
}

/** The journal row with this sender id, read from the file the CLI serves. */
async function row(id: string) {
  const journal = sqliteJournal({ path: journalPath });
  const [entry] = (await journal.list({ id })).entries;
  await journal.close();
  return entry!;
}

/** The detail page's attempts, in the order shown: each row's outcome and error text. */
async function attemptRows(page: Page): Promise<string[][]> {
  return page.locator("#attempts tbody tr").evaluateAll((rows) =>
    rows.map((row) => {
      const cells = row.querySelectorAll("td");
      return [cells[1]?.textContent?.trim() ?? "", cells[3]?.textContent?.trim() ?? ""];
    }),
  );
}

async function screenshot(page: Page, name: string) {
  const png = await page.screenshot({ fullPage: false });
  expect(png.byteLength).toBeGreaterThan(1000);
  if (WRITE_SCREENSHOTS) writeFileSync(join(root, "docs/images", name), png);
}

const describeChromium = describeNeeding(
  `Chromium at ${CHROMIUM} (apt-get install -y chromium)`,
  existsSync(CHROMIUM),
);

describeChromium("hookgate ui in a real browser", () => {
  let url: string;
  beforeAll(async () => {
    await journalDeliveries();
    url = await startUi();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGTERM");
      await exited; // the CLI closes its server and the journal on SIGTERM
    }
    attacker?.closeAllConnections();
    attacker?.close();
  });

  it("binds loopback, prints a token URL, and answers 401 without the token", async () => {
    expect(printed).toMatch(/^hookgate ui on http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}\n/);
    const bare = new URL(url);
    bare.search = "";
    const response = await fetch(bare);
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain("evt_");
    expect((await fetch(`${bare.href}?token=wrong`)).status).toBe(401);
  });

  it("opens from the printed URL, lists, filters, shows the failure and replays it to handled", async () => {
    const context = await browser!.newContext({ viewport: { width: 1100, height: 760 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("dialog", (dialog) => errors.push(`dialog: ${dialog.message()}`));
    await page.goto(url);
    expect(new URL(page.url()).searchParams.has("token")).toBe(false); // exchanged for the cookie
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "hookgate_dashboard")).toMatchObject({
      httpOnly: true,
      sameSite: "Strict",
    });
    await expect.poll(() => page.locator("#rows tr").count()).toBe(2);
    expect(await page.locator("#rows").textContent()).toContain("evt_failed_1");
    expect(await page.locator("#rows").textContent()).toContain("evt_paid_1");
    await screenshot(page, "dashboard-list.png");

    await page.selectOption("select[name=status]", "failed");
    await page.click("form.filters button[type=submit]");
    await expect.poll(() => page.locator("#rows tr").count()).toBe(1);
    expect(await page.locator("#rows").textContent()).toContain("evt_failed_1");
    expect(await page.locator("#rows").textContent()).not.toContain("evt_paid_1");

    await page.click("#rows a");
    await page.waitForSelector("#last-error");
    expect(await page.locator("#last-error").textContent()).toContain("card processor unreachable");
    // One attempt so far: the handler's failure, with its error.
    expect(await attemptRows(page)).toEqual([["failed", "handler_failed card processor unreachable"]]);
    const pretty = await page.locator("#body-pretty pre").textContent();
    expect(JSON.parse(pretty ?? "").data.object.customer).toBe("cus_42");
    expect(await page.locator("#body-raw pre").textContent()).toContain('"note":"<script>alert(1)</script>"');
    await screenshot(page, "dashboard-detail.png");

    await page.click("#replay");
    await page.waitForSelector("#replay-results");
    expect(await page.locator("#replay-results").textContent()).toContain("verified");
    await screenshot(page, "dashboard-replay.png");
    await page.click("#confirm-replay");
    await page.waitForSelector("text=Replayed 1 of 1");
    expect(await page.locator("#replay-results").textContent()).toContain("handled");

    await page.click("#replay-results a");
    expect(await page.locator("h1 .status").textContent()).toBe("handled");
    // The history: the failed attempt, then the replay that handled it.
    expect(await attemptRows(page)).toEqual([
      ["failed", "handler_failed card processor unreachable"],
      ["handled", ""],
    ]);
    expect(await page.locator("#last-error").count()).toBe(0); // the replay cleared it
    expect(errors).toEqual([]); // the stored <script> never ran
    expect(await row("evt_failed_1")).toMatchObject({ status: "handled", attempts: 2 });
    await context.close();
  });

  it("refuses a replay posted from another site, even with the user signed in", async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    await page.goto(url); // signed in: the session cookie is set
    const target = new URL("replay", url).href.replace(/\?.*$/, "");
    const paid = await row("evt_paid_1");
    // Another site (localhost is not 127.0.0.1) whose page posts a replay form on load.
    attacker = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(
        `<form method="post" action="${target}"><input name="mode" value="confirm"><input name="key" value="${paid.key}"></form><script>document.forms[0].submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => attacker!.listen(0, "127.0.0.1", resolve));
    const evil = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(target)),
      page.goto(evil),
    ]);
    expect([401, 403]).toContain(response.status());
    // And with the session cookie itself but from a foreign origin, the Origin check refuses it.
    const cookie = (await context.cookies()).find((c) => c.name === "hookgate_dashboard")!;
    const forged = await fetch(target, {
      method: "POST",
      headers: {
        cookie: `${cookie.name}=${cookie.value}`,
        origin: evil.slice(0, -1),
        "sec-fetch-site": "cross-site",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ mode: "confirm", key: paid.key }).toString(),
    });
    expect(forged.status).toBe(403);
    expect((await row("evt_paid_1")).attempts).toBe(1); // nothing ran
    await context.close();
  });
});
