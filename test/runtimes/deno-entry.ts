// The runtime suite in Deno: `deno run --allow-net=127.0.0.1 bundle.mjs <node|web> <stripe secret>`;
// serves with Deno.serve.
import { runChild } from "./child-entry.js";

interface DenoGlobal {
  version: { deno: string };
  args: string[];
  exit(code: number): never;
  serve(
    options: { hostname: string; port: number; onListen: (address: { port: number }) => void },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
}

const Deno = (globalThis as unknown as { Deno: DenoGlobal }).Deno;
const [mode = "node", secret = ""] = Deno.args;
// The test kills this process; a child it lost exits on its own.
setTimeout(() => Deno.exit(0), 120_000);

await runChild({
  version: Deno.version.deno,
  mode,
  secret,
  serve: (handler) =>
    new Promise((resolve) => {
      Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => resolve(port) }, handler);
    }),
  print: (line) => console.log(line),
});
