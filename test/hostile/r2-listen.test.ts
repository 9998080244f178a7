import { request } from "node:http";
import { schemes } from "@hookgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Listening, type ListenOptions, listen } from "../../packages/cli/src/commands/listen.js";
import { captureIO } from "../../packages/cli/src/internal/test-io.js";
import { runCli } from "../../packages/cli/src/run-cli.js";

// Hole 19: `hookgate listen` read any body, of any size, for as long as the sender liked. It now
// reads through the receiver, with its maxBodyBytes (413) and bodyTimeoutMs (408) bounds.

const secret = "whsec_r2_listen";
const running: Listening[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function start(options: Partial<ListenOptions> = {}): Promise<Listening> {
  const { io } = captureIO();
  const server = await listen({ port: 0, scheme: "stripe", secret, ...options }, io);
  running.push(server);
  return server;
}

interface Reply {
  status: number;
  body: string;
  connection: string | undefined;
}

/**
 * Posts `chunks` over a real connection (chunked when `length` is absent), then leaves the body
 * open when `end` is false. Resolves with the answer, or "no answer" after `waitMs`.
 */
function post(
  url: string,
  chunks: readonly Buffer[],
  options: { length?: number; end?: boolean; waitMs?: number; headers?: Record<string, string> } = {},
): Promise<Reply | "no answer"> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
    if (options.length !== undefined) headers["content-length"] = String(options.length);
    const req = request(
      { host: target.hostname, port: target.port, method: "POST", path: "/", headers },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (part: Buffer) => parts.push(part));
        res.on("end", () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(parts).toString("utf8"),
            connection: res.headers.connection,
          });
          req.destroy();
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve("no answer");
    }, options.waitMs ?? 5000);
    // The server may answer and close before every byte is written.
    req.on("error", () => {});
    for (const chunk of chunks) req.write(chunk);
    if (options.end !== false) req.end();
  });
}

const codeOf = (reply: Reply | "no answer") =>
  reply === "no answer" ? reply : (JSON.parse(reply.body) as { error?: { code?: string } }).error?.code;

describe("issue 18 hole 19: hookgate listen bounds what it reads", () => {
  it("issue 18 hole 19: a body over the limit is refused 413, declared or streamed, default and --max-body-bytes", async () => {
    const server = await start();
    const big = Buffer.alloc(2 * 1024 * 1024, "a");
    const declared = await post(server.url, [big], { length: big.byteLength });
    expect(declared).not.toBe("no answer");
    expect((declared as Reply).status).toBe(413);
    expect(codeOf(declared)).toBe("body_too_large");

    const small = await start({ maxBodyBytes: 1024 });
    const streamed = await post(small.url, [Buffer.alloc(800, "a"), Buffer.alloc(800, "a")]);
    expect((streamed as Reply).status).toBe(413);
    expect(codeOf(streamed)).toBe("body_too_large");
    expect((streamed as Reply).connection).toBe("close");
  });

  it("issue 18 hole 19: a body that never ends is answered 408 after --body-timeout-ms", async () => {
    const server = await start({ bodyTimeoutMs: 200 });
    // Declares 1000 bytes, sends 10, then stalls: the answer comes from the bound, not the sender.
    const stalled = await post(server.url, [Buffer.from('{"id":"evt')], {
      length: 1000,
      end: false,
      waitMs: 5000,
    });
    expect(stalled).not.toBe("no answer");
    expect((stalled as Reply).status).toBe(408);
    expect(codeOf(stalled)).toBe("body_timeout");
  });

  it("a genuine delivery under the limits is still verified and handled", async () => {
    const server = await start({ maxBodyBytes: 4096, bodyTimeoutMs: 1000 });
    const rawBody = JSON.stringify({ id: "evt_listen_ok", type: "invoice.paid", data: {} });
    const headers = await schemes.stripe({ secret }).sign({ rawBody });
    const reply = await post(server.url, [Buffer.from(rawBody)], { headers });
    expect(reply).toMatchObject({ status: 200 });
  });

  it("the flags are checked: a limit that is not a whole number ≥ 1 is a usage error", async () => {
    for (const [flag, value] of [
      ["--max-body-bytes", "lots"],
      ["--body-timeout-ms", "0"],
      ["--timeout", "1.5"],
    ]) {
      const { io, err } = captureIO();
      const code = await runCli(
        ["listen", "--scheme", "stripe", "--secret", secret, "--port", "0", flag!, value!],
        io,
      );
      expect(code).not.toBe(0);
      expect(err()).toContain(flag!);
    }
  });
});
