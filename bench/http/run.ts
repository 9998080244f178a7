/**
 * `bench/http`: per framework, the hookgate adapter against the same framework's raw-body + HMAC
 * reference endpoint. Server and load generator are separate processes, pinned to different cores
 * with `taskset` where it exists; loopback only; a bounded few seconds per run. Runs alternate
 * (reference, hookgate, reference, hookgate…) and the medians are compared.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { flag, markdownTable, median, num } from "../lib/table.js";

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = join(here, "..");
const FRAMEWORKS = ["express", "koa", "hono", "node", "fetch"] as const;
const LABELS: Record<(typeof FRAMEWORKS)[number], [string, string]> = {
  express: ["Express 5", "`express.raw()` + HMAC"],
  koa: ["Koa 3", "`raw-body` + HMAC"],
  hono: ["Hono on @hono/node-server", "`c.req.arrayBuffer()` + HMAC"],
  node: ["bare node:http (`handleNodeRequest`)", "`req.on('data')` + HMAC"],
  fetch: ["`receiver.fetch` on @hono/node-server", "`request.arrayBuffer()` + HMAC"],
};

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

const hasTaskset = (() => {
  try {
    execFileSync("taskset", ["-c", "0", "true"], { stdio: "ignore" });
    return cpus().length > 1;
  } catch {
    return false;
  }
})();

function node(cpu: number, script: string, args: readonly string[]): ChildProcess {
  const argv = ["--import", "tsx", join(here, script), ...args];
  return hasTaskset
    ? spawn("taskset", ["-c", String(cpu), process.execPath, ...argv], { cwd: benchDir })
    : spawn(process.execPath, argv, { cwd: benchDir });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    child.stdout!.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.on("exit", (code) =>
      reject(new Error(`bench/http: child exited (${code}) before answering\n${err}`)),
    );
  });
}

async function startServer(framework: string, mode: string): Promise<{ port: number; stop: () => void }> {
  const child = node(0, "server.ts", [framework, mode]);
  const { port } = JSON.parse(await firstLine(child)) as { port: number };
  return { port, stop: () => child.kill("SIGTERM") };
}

async function load(port: number, seconds: number, connections: number, bytes: number): Promise<LoadResult> {
  const child = node(1, "load.ts", [port, seconds, connections, bytes].map(String));
  return JSON.parse(await firstLine(child)) as LoadResult;
}

/** Runs the HTTP benchmark and returns its markdown table. */
export async function runHttp(argv: readonly string[]): Promise<string> {
  const seconds = Number(flag(argv, "duration") ?? 3);
  const rounds = Number(flag(argv, "http-rounds") ?? 2);
  const connections = Number(flag(argv, "connections") ?? 50);
  const bytes = Number(flag(argv, "bytes") ?? 1024);
  const only = flag(argv, "framework");
  const rows: string[][] = [];
  for (const framework of FRAMEWORKS) {
    if (only && only !== framework) continue;
    const servers = {
      reference: await startServer(framework, "reference"),
      hookgate: await startServer(framework, "hookgate"),
    };
    const results: Record<"reference" | "hookgate", LoadResult[]> = { reference: [], hookgate: [] };
    try {
      for (const mode of ["reference", "hookgate"] as const)
        await load(servers[mode].port, 1, connections, bytes);
      for (let round = 0; round < rounds; round++) {
        for (const mode of ["reference", "hookgate"] as const) {
          const result = await load(servers[mode].port, seconds, connections, bytes);
          if (result.non2xx || result.errors)
            throw new Error(
              `bench/http: ${framework} ${mode} answered ${result.non2xx} non-2xx, ${result.errors} errors`,
            );
          results[mode].push(result);
        }
      }
    } finally {
      servers.reference.stop();
      servers.hookgate.stop();
    }
    const m = (mode: "reference" | "hookgate", key: "rps" | "p50" | "p99") =>
      median(results[mode].map((r) => r[key]));
    const [label, reference] = LABELS[framework];
    rows.push([
      label,
      num(m("hookgate", "rps")),
      `${m("hookgate", "p50")} / ${m("hookgate", "p99")}`,
      reference,
      num(m("reference", "rps")),
      `${m("reference", "p50")} / ${m("reference", "p99")}`,
      `${(m("hookgate", "rps") / m("reference", "rps")).toFixed(2)}×`,
    ]);
    process.stderr.write(`http: ${framework} done\n`);
  }
  const header = [
    "framework",
    "hookgate req/s",
    "p50 / p99 ms",
    "reference endpoint",
    "req/s",
    "p50 / p99 ms",
    "ratio",
  ];
  return `${markdownTable(header, rows)}

${bytes} B Standard Webhooks deliveries, each with a new id (the receiver claims and completes a new
key in its memoryStore per request; the handler is a no-op, run inline); c=${connections}, ${rounds} alternating
runs of ${seconds} s per side after a 1 s warm-up, medians; ratio = hookgate req/s / reference req/s.
Server and autocannon in separate processes${hasTaskset ? ", pinned to CPU 0 and CPU 1 with taskset" : ""}; 127.0.0.1 only.`;
}
