// Stops and starts the shared brokers mid-run. RabbitMQ: `rabbitmqctl stop_app` / `start_app`.
// NATS: SIGKILL the server (a crash) and start it again with the command `.ci/run` uses.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { reachable } from "../../support/services.js";
import type { Engine } from "./config.js";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const NATS_START = [
  "--start",
  "--oknodo",
  "--background",
  "--exec",
  "/usr/sbin/nats-server",
  "--",
  ...[
    "-a",
    "127.0.0.1",
    "-p",
    "4222",
    "-js",
    "-sd",
    "/var/lib/nats-server",
    "-l",
    "/var/log/nats-server.log",
  ],
];

async function waitFor(url: string, port: number, up: boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await reachable(url, port, 500)) !== up) {
    if (Date.now() > deadline) throw new Error(`${url} is still ${up ? "down" : "up"} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Takes the broker down, keeps it down `downMs`, brings it back and waits until it accepts connections. */
export async function restartBroker(engine: Engine, url: string, downMs: number): Promise<void> {
  if (engine === "amqp") {
    await run("rabbitmqctl", ["stop_app"]);
    await sleep(downMs);
    await run("rabbitmqctl", ["start_app"]);
    await waitFor(url, 5672, true);
    return;
  }
  const { stdout } = await run("pidof", ["nats-server"]);
  for (const pid of stdout.trim().split(/\s+/)) process.kill(Number(pid), "SIGKILL");
  await waitFor(url, 4222, false);
  await sleep(downMs);
  await ensureBroker(engine, url);
}

/** Starts the broker if it is down (after a failed test, too). */
export async function ensureBroker(engine: Engine, url: string): Promise<void> {
  if (await reachable(url, engine === "amqp" ? 5672 : 4222)) return;
  if (engine === "amqp") await run("rabbitmqctl", ["start_app"]);
  else await run("start-stop-daemon", NATS_START);
  await waitFor(url, engine === "amqp" ? 5672 : 4222, true);
}
