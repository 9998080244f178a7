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
import { checkNewDeliveries } from "./deliveries.js";

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
  /** Each status's count. */
  statuses?: Record<string, number>;
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

async function startServer(
  framework: string,
  mode: string,
  provider: string,
): Promise<{ port: number; stop: () => void }> {
  const child = node(0, "server.ts", [framework, mode, provider]);
  const { port } = JSON.parse(await firstLine(child)) as { port: number };
  return { port, stop: () => child.kill("SIGTERM") };
}

async function load(
  port: number,
  seconds: number,
  connections: number,
  bytes: number,
  provider: string,
): Promise<LoadResult> {
  const child = node(1, "load.ts", [port, seconds, connections, bytes, provider].map(String));
  return JSON.parse(await firstLine(child)) as LoadResult;
}

interface Settings {
  seconds: number;
  rounds: number;
  connections: number;
  bytes: number;
}

/**
 * Runs the servers of one comparison side by side: each warmed for 1 s, then `rounds` rounds in
 * which every server takes its turn; returns each mode's median req/s and p50 / p99.
 */
async function compare(
  framework: string,
  provider: string,
  modes: readonly string[],
  settings: Settings,
): Promise<Record<string, { rps: number; latency: string }>> {
  const servers = new Map<string, { port: number; stop: () => void }>();
  const results = new Map<string, LoadResult[]>(modes.map((mode) => [mode, []]));
  try {
    for (const mode of modes) servers.set(mode, await startServer(framework, mode, provider));
    for (const mode of modes)
      await load(servers.get(mode)!.port, 1, settings.connections, settings.bytes, provider);
    for (let round = 0; round < settings.rounds; round++) {
      for (const mode of modes) {
        const result = await load(
          servers.get(mode)!.port,
          settings.seconds,
          settings.connections,
          settings.bytes,
          provider,
        );
        if (result.non2xx || result.errors)
          throw new Error(
            `bench/http: ${framework} ${mode} answered ${result.non2xx} non-2xx, ${result.errors} errors`,
          );
        checkNewDeliveries(`bench/http: ${framework}`, mode, result.statuses?.["200"]);
        results.get(mode)!.push(result);
      }
    }
  } finally {
    for (const server of servers.values()) server.stop();
  }
  return Object.fromEntries(
    modes.map((mode) => {
      const m = (key: "rps" | "p50" | "p99") => median(results.get(mode)!.map((r) => r[key]));
      return [mode, { rps: m("rps"), latency: `${m("p50")} / ${m("p99")}` }];
    }),
  );
}

/** The peers, each on the framework and with the provider it is made for. */
const PEERS = [
  {
    framework: "node",
    provider: "github",
    mode: "octokit",
    label: "`@octokit/webhooks` `createNodeMiddleware`",
  },
  { framework: "express", provider: "stripe", mode: "stripe", label: "`stripe.webhooks.constructEvent`" },
  { framework: "express", provider: "stripe", mode: "tern", label: "`@hookflo/tern` Express middleware" },
  { framework: "hono", provider: "standard-webhooks", mode: "svix", label: "svix `Webhook.verify`" },
] as const;

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** Runs the HTTP benchmark and returns its markdown tables. */
export async function runHttp(argv: readonly string[]): Promise<string> {
  const settings: Settings = {
    seconds: Number(flag(argv, "duration") ?? 3),
    rounds: Number(flag(argv, "http-rounds") ?? 2),
    connections: Number(flag(argv, "connections") ?? 50),
    bytes: Number(flag(argv, "bytes") ?? 1024),
  };
  const only = flag(argv, "framework");
  const rows: string[][] = [];
  for (const framework of FRAMEWORKS) {
    if (only && only !== framework) continue;
    const r = await compare(framework, "standard-webhooks", ["reference", "same-job", "queued"], settings);
    const [label, reference] = LABELS[framework];
    rows.push([
      label,
      num(r.queued!.rps),
      r.queued!.latency,
      num(r["same-job"]!.rps),
      ratio(r.queued!.rps, r["same-job"]!.rps),
      `${reference}: ${num(r.reference!.rps)}`,
      ratio(r.queued!.rps, r.reference!.rps),
    ]);
    process.stderr.write(`http: ${framework} done\n`);
  }
  const peerRows: string[][] = [];
  const groups = new Map<string, (typeof PEERS)[number][]>();
  for (const peer of PEERS) {
    if (only && only !== peer.framework) continue;
    const key = `${peer.framework} ${peer.provider}`;
    groups.set(key, [...(groups.get(key) ?? []), peer]);
  }
  for (const peers of groups.values()) {
    const { framework, provider } = peers[0]!;
    const r = await compare(framework, provider, ["queued", ...peers.map((p) => p.mode)], settings);
    for (const peer of peers) {
      peerRows.push([
        `${LABELS[framework as (typeof FRAMEWORKS)[number]][0]}, ${provider}`,
        peer.label,
        num(r[peer.mode]!.rps),
        num(r.queued!.rps),
        ratio(r.queued!.rps, r[peer.mode]!.rps),
      ]);
    }
    process.stderr.write(`http: peers on ${framework} done\n`);
  }
  const header = [
    "framework",
    "hookgate req/s",
    "p50 / p99 ms",
    "same job by hand req/s",
    "ratio",
    "verify-only endpoint req/s",
    "ratio",
  ];
  const peerHeader = ["framework, provider", "peer", "peer req/s", "hookgate req/s", "hookgate / peer"];
  return `${markdownTable(header, rows)}

${markdownTable(peerHeader, peerRows)}

${settings.bytes} B deliveries, each with a new id. hookgate runs its production path: verify, claim the
id in its memoryStore, hand off to \`memoryQueue({ concurrency: 4 })\` (no-op handler), answer 202. "Same
job by hand": the framework's raw body, HMAC, \`JSON.parse\`, the id claimed in a bounded set (two generations of 50,000), an
in-memory queue drained by four workers, 202. "Verify-only": raw body, HMAC, \`JSON.parse\`, 200. Peers
verify (and Octokit dispatches) but neither dedupe nor queue. c=${settings.connections}, ${settings.rounds} alternating runs of
${settings.seconds} s per server after a 1 s warm-up, medians; ratio = hookgate req/s / the other's.
Servers and autocannon in separate processes${hasTaskset ? ", pinned to CPU 0 and CPU 1 with taskset" : ""}; 127.0.0.1 only.`;
}
