import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { schemes } from "@hookgate/core";
import { createPagesHandler, createRouteHandler } from "@hookgate/next";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, serveFetch } from "./node-app.js";
import { adapterScenarios, type Body, stripeEvent } from "./scenarios.js";

type NextApiRequest = Parameters<ReturnType<typeof createPagesHandler>>[0];
type NextApiResponse = Parameters<ReturnType<typeof createPagesHandler>>[1];

adapterScenarios({
  name: "Next.js App Router: createRouteHandler(receiver).POST",
  bodyParser: "request.json()",
  clientIp: false,
  async start(receiver, options) {
    const { POST } = createRouteHandler(receiver, options.publicUrl ? { publicUrl: options.publicUrl } : {});
    return serveFetch(async (request) => {
      if (options.bodyParserFirst) await request.json();
      return POST(request);
    }, "/api/webhooks/stripe");
  },
});

adapterScenarios({
  name: "Next.js Pages Router: createPagesHandler(receiver)",
  bodyParser: "bodyParser: false",
  clientIp: true,
  async start(receiver, options) {
    const handler = createPagesHandler(receiver, options.publicUrl ? { publicUrl: options.publicUrl } : {});
    // What Next.js's API resolver does before calling the route: parse the body unless the
    // route exports `config = { api: { bodyParser: false } }`.
    const server = createServer(async (req, res) => {
      const apiReq = req as NextApiRequest;
      if (options.bodyParserFirst) {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        apiReq.body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      }
      await handler(apiReq, res as NextApiResponse);
    });
    return listen(server, "/api/webhooks/stripe");
  },
});

const exampleDir = fileURLToPath(new URL("../../examples/next/", import.meta.url));
const workspaceDir = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

/** A hookgate answer's JSON body. */
interface Answer {
  status?: string;
  id?: string;
  error?: { code: string; message: string };
}

/** The example app built with `next build` and served by `next start`: real Next.js, both routers. */
describe.skipIf(process.env.HOOKGATE_SKIP_NEXT === "1")("examples/next under next build + next start", () => {
  const stripeSecret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
  const githubSecret = crypto.randomUUID();
  const env = {
    ...process.env,
    NODE_ENV: "production" as const,
    NEXT_TELEMETRY_DISABLED: "1",
    STRIPE_WEBHOOK_SECRET: stripeSecret,
    GITHUB_WEBHOOK_SECRET: githubSecret,
  };
  const nextBin = `${exampleDir}node_modules/next/dist/bin/next`;
  let server: ChildProcess | undefined;
  let origin = "";
  let output = "";

  beforeAll(async () => {
    // The example resolves @hookgate/* to their built dist, as an app outside the monorepo would.
    await run("pnpm", ["--filter", "@hookgate/example-next^...", "build"], { cwd: workspaceDir, env });
    await run(process.execPath, [nextBin, "build"], { cwd: exampleDir, env });
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: exampleDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout?.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    server.stderr?.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    await waitUntilUp(`${origin}/api/webhooks/stripe`);
  }, 240_000);

  afterAll(async () => {
    const child = server;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  });

  async function waitUntilUp(url: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (server?.exitCode !== null) throw new Error(`next start exited:\n${output}`);
      const up = await fetch(url, { method: "HEAD" }).then(
        () => true,
        () => false,
      );
      if (up) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`next start did not answer within 60 s:\n${output}`);
  }

  const stripe = schemes.stripe({ secret: stripeSecret });
  const github = schemes.github({ secret: githubSecret });

  async function post(path: string, headers: Record<string, string>, body: Body) {
    const response = await fetch(origin + path, { method: "POST", headers, body });
    return { status: response.status, json: (await response.json()) as Answer };
  }

  for (const [runtime, path] of [
    ["Node.js", "/api/webhooks/stripe"],
    ["Edge", "/api/webhooks/stripe-edge"],
  ] as const) {
    describe(`App Router route handler, ${runtime} runtime`, () => {
      it("accepts a signed delivery, byte for byte (multi-byte UTF-8 and CRLF), and acknowledges its duplicate", async () => {
        const { id, body } = stripeEvent({ note: "héllo — 日本語 🎉" });
        const bytes = Buffer.from(body.replaceAll("\n", "\r\n"), "utf8");
        const headers = await stripe.sign({ rawBody: bytes });
        expect(await post(path, headers, bytes)).toEqual({ status: 200, json: { status: "handled", id } });
        expect(await post(path, headers, bytes)).toEqual({ status: 200, json: { status: "duplicate", id } });
      });

      it("refuses tampered, expired, unsigned and oversized deliveries", async () => {
        const { body } = stripeEvent();
        const tampered = await post(path, await stripe.sign({ rawBody: body }), body.replace("2000", "2001"));
        expect(tampered).toMatchObject({ status: 401, json: { error: { code: "signature_mismatch" } } });
        const old = new Date(Date.now() - 3600_000);
        const expired = await post(path, await stripe.sign({ rawBody: body, timestamp: old }), body);
        expect(expired).toMatchObject({ status: 401, json: { error: { code: "timestamp_too_old" } } });
        const unsigned = await post(path, { "content-type": "application/json" }, body);
        expect(unsigned).toMatchObject({ status: 400, json: { error: { code: "missing_signature" } } });
        const big = stripeEvent({ padding: "x".repeat(1 << 20) }).body;
        const oversized = await post(path, await stripe.sign({ rawBody: big }), big);
        expect(oversized).toMatchObject({ status: 413, json: { error: { code: "body_too_large" } } });
      });
    });
  }

  describe("Pages Router API route", () => {
    const issue = (number: number) =>
      JSON.stringify({ action: "opened", issue: { number, title: "Ça marche ✓\r\nsecond line" } });

    it("accepts a signed delivery with bodyParser: false, and acknowledges its duplicate", async () => {
      const body = issue(1);
      const headers = await github.sign({ rawBody: body, type: "issues", id: crypto.randomUUID() });
      const first = await post("/api/webhooks/github", headers, body);
      expect(first).toMatchObject({ status: 200, json: { status: "handled" } });
      expect(await post("/api/webhooks/github", headers, body)).toMatchObject({
        status: 200,
        json: { status: "duplicate" },
      });
    });

    it("refuses a tampered delivery with 401", async () => {
      const body = issue(2);
      const headers = await github.sign({ rawBody: body, type: "issues" });
      const answer = await post("/api/webhooks/github", headers, body.replace("2", "3"));
      expect(answer).toMatchObject({ status: 401, json: { error: { code: "signature_mismatch" } } });
    });

    it("explains a route without bodyParser: false, once in the log", async () => {
      for (const number of [3, 4]) {
        const body = issue(number);
        const answer = await post(
          "/api/webhooks/github-misconfigured",
          await github.sign({ rawBody: body, type: "issues" }),
          body,
        );
        expect(answer.status).toBe(500);
        expect(answer.json.error?.code).toBe("raw_body_required");
        expect(answer.json.error?.message).toContain("export const config = { api: { bodyParser: false } }");
      }
      const logged = output.split("\n").filter((line) => line.includes("Next.js's API body parser"));
      expect(logged).toHaveLength(1);
    });
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
