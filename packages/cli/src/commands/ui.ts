import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { load, openJournal } from "../internal/journal-arg.js";
import { loadReceiver } from "../internal/receiver-arg.js";
import { CliError, type CliIO, painter } from "../io.js";

/** Options of `hookgate ui`. */
export interface UiOptions {
  /** The journal to show: `sqlite:<path>`, `postgres://…` or `memory`. */
  journal?: string;
  /** A module exporting the receiver replays run through; without it the dashboard is read-only. */
  receiver?: string;
  /** @default 3001 */
  port?: number | string;
  /** @default 127.0.0.1 */
  host?: string;
  /** The access token. @default $HOOKGATE_UI_TOKEN, else a random one */
  token?: string;
}

/** A running `hookgate ui`. */
export interface UiServer {
  /** The URL that opens the dashboard, token included. */
  url: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * `hookgate ui`: serves `@hookgate/dashboard` over `--journal` (replays through `--receiver`),
 * on loopback by default, behind a token (given, or random) that the printed URL carries once.
 */
export async function ui(options: UiOptions, io: CliIO): Promise<UiServer> {
  const port = options.port === undefined ? 3001 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port must be 0–65535, not "${String(options.port)}"`);
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? io.env.HOOKGATE_UI_TOKEN ?? randomBytes(24).toString("base64url");
  if (token.length < 8)
    throw new CliError("--token must be at least 8 characters (or leave it out for a random one)");
  const { dashboard } = await load(() => import("@hookgate/dashboard"), "@hookgate/dashboard", "hookgate ui");
  const receiver = options.receiver === undefined ? undefined : await loadReceiver(options.receiver, io);
  const opened = await openJournal(options.journal, io);
  const app = dashboard({ journal: opened.journal, auth: { token }, ...(receiver ? { receiver } : {}) });
  const server: Server = createServer((req, res) => {
    app.node(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end();
      io.stderr.write(`hookgate: ui: ${(error as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      void opened.close();
      reject(
        new CliError(
          error.code === "EADDRINUSE" ? `port ${port} is in use; pick another with --port` : error.message,
        ),
      );
    });
    server.listen(port, host, resolve);
  });
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${shown}:${(server.address() as AddressInfo).port}/?token=${encodeURIComponent(token)}`;
  const paint = painter(io.stdout, io.env);
  io.stdout.write(
    `hookgate ui on ${paint.bold(url)}\n  journal ${options.journal!.replace(/:[^:@/]*@/, ":***@")}${receiver ? `, replays through ${options.receiver}` : " (read-only: --receiver ./receiver.js to replay)"}\n`,
  );
  if (!LOOPBACK.has(host)) {
    io.stderr.write(
      `hookgate: ui listens on ${host}, not only this machine: anyone who can reach it and has the token can read the journal; prefer an SSH tunnel to 127.0.0.1\n`,
    );
  }
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await opened.close();
    },
  };
}
