/**
 * CPU time per request of the server process (user + system, from /proc), the steadier measure
 * on a shared machine: `tsx http/cpu.ts <framework> [requests] [rounds]`. Both servers run; rounds
 * alternate reference and hookgate; prints median µs per request and the ratio reference/hookgate.
 * `MODES=<framework>:<mode>[:<server.mjs>],…` picks the servers (a bundled server.ts of another
 * commit beside this one's); `PROVIDER=github` signs GitHub deliveries, for `node:octokit`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { checkNewDeliveries, payload, providerFromEnv, signer } from "./deliveries.js";

const here = dirname(fileURLToPath(import.meta.url));
const [framework = "node", amountArg = "20000", roundsArg = "3", bytesArg = "1024"] = process.argv.slice(2);
const amount = Number(amountArg);
const extra = (process.env.SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
// `PROVIDER=github` (or `stripe`) signs as that provider, for the peers made for it (`node:octokit`).
const provider = providerFromEnv();

/** The process's CPU time in ms, user + system (`USER_ONLY=1`: user), and user alone. */
function cpuMs(pid: number): { counted: number; user: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const user = (Number(fields[11]) * 1000) / 100; // clock ticks at 100 Hz
  return { counted: user + (process.env.USER_ONLY ? 0 : (Number(fields[12]) * 1000) / 100), user };
}

/** A server's spec: `mode`, `framework:mode`, or `framework:mode:script` (a bundled server.ts, e.g. of another commit). */
function parts(spec: string): [fw: string, mode: string, script: string | undefined] {
  const [fw, mode, own] = spec.includes(":") ? spec.split(":") : [framework, spec];
  return [fw!, mode!, own];
}

function start(spec: string): Promise<{ port: number; child: ChildProcess }> {
  const [fw, mode, own] = parts(spec);
  const bundled = own ?? process.env.SERVER_SCRIPT;
  const script = bundled ? [bundled] : ["--import", "tsx", join(here, "server.ts")];
  const child = spawn("taskset", ["-c", "0", process.execPath, ...extra, ...script, fw, mode, provider], {
    cwd: join(here, ".."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve({ port: JSON.parse(out.split("\n")[0]!).port, child });
    });
  });
}

async function run(port: number, n: number, spec: string): Promise<void> {
  const body = payload(Number(bytesArg), provider);
  const sign = signer(body, provider);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhooks`,
    connections: 50,
    amount: n,
    requests: [{ method: "POST", body, setupRequest: (request) => ({ ...request, ...sign() }) }],
  });
  if (result.non2xx || result.errors) throw new Error(`non2xx ${result.non2xx} errors ${result.errors}`);
  checkNewDeliveries(`cpu.ts: ${spec}:`, parts(spec)[1], result.statusCodeStats?.["200"]?.count);
}

const modes = (process.env.MODES ?? "reference,hookgate").split(",");
const servers = Object.fromEntries(await Promise.all(modes.map(async (m) => [m, await start(m)] as const)));
const per: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
// User time alone beside it: on loopback a send also runs the client's receive path and wakes it,
// which costs a server more the more idle the client waits, so a slower server's system time
// grows with its slowness (bench/README.md, round 8).
const userPer: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
// `WARM=110000` first fills memoryStore (100,000 keys): a busy receiver's steady state, evicting.
for (const m of modes) await run(servers[m]!.port, Number(process.env.WARM ?? 3000), m);
for (let r = 0; r < Number(roundsArg); r++) {
  for (const m of modes) {
    const { port, child } = servers[m]!;
    const before = cpuMs(child.pid!);
    await run(port, amount, m);
    const after = cpuMs(child.pid!);
    per[m]!.push(((after.counted - before.counted) * 1000) / amount);
    userPer[m]!.push(((after.user - before.user) * 1000) / amount);
  }
}
for (const m of modes) servers[m]!.child.kill("SIGTERM");
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const line = modes.map(
  (m) => `${m} ${med(per[m]!).toFixed(1)} µs/req [${per[m]!.map((x) => x.toFixed(0)).join(" ")}]`,
);
const ratio = modes.length === 2 ? ` ratio ${(med(per[modes[0]!]!) / med(per[modes[1]!]!)).toFixed(2)}` : "";
console.log(`${framework}: ${line.join("; ")}${ratio}`);
if (!process.env.USER_ONLY)
  console.log(
    `  user time alone: ${modes.map((m) => `${m} ${med(userPer[m]!).toFixed(1)} µs/req`).join("; ")}`,
  );
