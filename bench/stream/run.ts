/**
 * `bench/stream` (issue 23): streaming verification against buffered verification over real HTTP
 * (node:http, `handleNodeRequest`), at 256 KiB and 4 MiB. The server (`stream/server.ts`, pinned
 * to CPU 0) runs both receivers; this process sends one delivery at a time (pinned to CPU 1), in
 * 64 KiB writes `--pace-ms` apart as a body arrives from a network, with a Content-Length (or
 * `--chunked`). Measured: (a) the time from the body's last chunk to the answer, in the server
 * (last chunk read → answer written) and in the sender (last byte handed to the socket → answer
 * received), (b) the server's CPU time per request from /proc. Rounds alternate streamed and buffered.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { payload, SECRET } from "../http/deliveries.js";
import { flag, markdownTable, median, num } from "../lib/table.js";

const here = dirname(fileURLToPath(import.meta.url));
const WRITE = 64 * 1024;
const SIZES = [
  { label: "256 KiB", bytes: 256 * 1024, requests: 120 },
  { label: "4 MiB", bytes: 4 << 20, requests: 24 },
];
const MODES = ["stream", "buffered"] as const;
const key = Buffer.from(SECRET.slice(6), "base64");

function taskset(cpu: number): string[] {
  try {
    execFileSync("taskset", ["-c", String(cpu), "true"], { stdio: "ignore" });
    return cpus().length > 1 ? ["taskset", "-c", String(cpu)] : [];
  } catch {
    return [];
  }
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // user + system, 100 Hz ticks
}

function startServer(): Promise<{ port: number; child: ChildProcess }> {
  const [command, ...args] = [...taskset(0), process.execPath, "--import", "tsx", join(here, "server.ts")];
  const child = spawn(command!, args, { cwd: join(here, ".."), stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.once("exit", (code) => reject(new Error(`stream server exited (${code})`)));
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve({ port: JSON.parse(out.split("\n")[0]!).port, child });
    });
  });
}

interface Sent {
  /** Milliseconds from the last byte handed to the socket to the answer's status line. */
  afterLastByte: number;
}

/** One delivery, written in 64 KiB pieces `paceMs` apart; resolves when the answer is whole. */
function send(
  port: number,
  path: string,
  agent: Agent,
  body: Buffer,
  paceMs: number,
  chunked: boolean,
): Promise<Sent> {
  const id = `msg_${randomUUID()}`;
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest("base64");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": ts,
    "webhook-signature": `v1,${signature}`,
  };
  if (!chunked) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    let lastByte = 0;
    let answered = 0;
    const req = request({ host: "127.0.0.1", port, path, method: "POST", headers, agent }, (res) => {
      answered = performance.now();
      res.resume();
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error(`${path}: status ${res.statusCode}`));
        // An answer before the last byte left (never expected for a genuine delivery) counts as 0.
        else resolve({ afterLastByte: Math.max(0, answered - lastByte) });
      });
    });
    req.on("error", reject);
    (async () => {
      for (let at = 0; at < body.length; at += WRITE) {
        const piece = body.subarray(at, at + WRITE);
        if (at + WRITE >= body.length) {
          // Node writes to a loopback socket at once where it can: the bytes are with the kernel.
          req.end(piece);
          lastByte = performance.now();
          return;
        }
        if (!req.write(piece)) await new Promise((r) => req.once("drain", r));
        if (paceMs > 0) await sleep(paceMs);
      }
    })().catch(reject);
  });
}

/** Runs the suite; returns its markdown table. Flags: `--stream-rounds N` (3), `--pace-ms N` (1), `--chunked`. */
export async function runStream(argv: readonly string[]): Promise<string> {
  const rounds = Number(flag(argv, "stream-rounds") ?? 3);
  const paceMs = Number(flag(argv, "pace-ms") ?? 1);
  const chunked = argv.includes("--chunked");
  const pin = taskset(1);
  if (pin.length) execFileSync("taskset", ["-cp", "1", String(process.pid)], { stdio: "ignore" });
  const { port, child } = await startServer();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const rows: string[][] = [];
  try {
    for (const size of SIZES) {
      const body = Buffer.from(payload(size.bytes));
      const latency: Record<string, number[]> = { stream: [], buffered: [] };
      const cpu: Record<string, number[]> = { stream: [], buffered: [] };
      const server: Record<string, number[]> = { stream: [], buffered: [] };
      // Warm-up: both paths compiled and the connection open.
      for (const mode of MODES)
        for (let i = 0; i < 5; i++) await send(port, `/${mode}`, agent, body, 0, chunked);
      await fetch(`http://127.0.0.1:${port}/stats`);
      for (let round = 0; round < rounds; round++) {
        for (const mode of round % 2 ? [...MODES].reverse() : MODES) {
          const before = cpuMs(child.pid!);
          for (let i = 0; i < size.requests; i++) {
            latency[mode]!.push((await send(port, `/${mode}`, agent, body, paceMs, chunked)).afterLastByte);
          }
          cpu[mode]!.push(((cpuMs(child.pid!) - before) * 1000) / size.requests);
          const stats = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as Record<
            string,
            number[]
          >;
          server[mode]!.push(...stats[`/${mode}`]!);
        }
      }
      const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)]!;
      const p50 = (xs: number[]) => p(xs, 0.5);
      for (const mode of MODES) {
        rows.push([
          size.label,
          mode === "stream" ? "streamed" : "buffered (`streamVerify: false`)",
          `${p50(server[mode]!).toFixed(2)} / ${p(server[mode]!, 0.9).toFixed(2)}`,
          `${p50(latency[mode]!).toFixed(2)} / ${p(latency[mode]!, 0.9).toFixed(2)}`,
          num(median(cpu[mode]!), 0),
          mode === "stream"
            ? [
                p50(server.stream!) / p50(server.buffered!),
                p50(latency.stream!) / p50(latency.buffered!),
                median(cpu.stream!) / median(cpu.buffered!),
              ]
                .map((x) => `${x.toFixed(2)}×`)
                .join(" / ")
            : "",
        ]);
      }
    }
  } finally {
    agent.destroy();
    child.removeAllListeners("exit");
    child.kill("SIGTERM");
  }
  const table = markdownTable(
    [
      "body",
      "verification",
      "server: last chunk read → answer written, p50 / p90 ms",
      "sender: last byte sent → answer, p50 / p90 ms",
      "server CPU µs / request",
      "streamed / buffered: server p50, sender p50, CPU",
    ],
    rows,
  );
  return `${table}\n\nStandard Webhooks deliveries over node:http (\`handleNodeRequest\`), one at a time, each with a new id (memoryStore dedupe, no-op handler inline); body written in 64 KiB pieces ${paceMs} ms apart${chunked ? ", chunked" : ", with a Content-Length"}; ${rounds} alternating rounds per side (${SIZES.map((s) => `${s.requests} × ${s.label}`).join(", ")}); percentiles over all requests, CPU the median of the rounds. Server pinned to CPU 0, sender to CPU 1.`;
}
