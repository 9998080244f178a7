import { fileURLToPath } from "node:url";
import { describeChildRuntime, packagedBinary } from "./child-runtime.js";

// The `bun` npm package's postinstall puts the binary of its platform package
// (@oven/bun-linux-x64) at bin/bun.exe.
const bun = packagedBinary("bun", "bin/bun.exe");

describeChildRuntime({
  name: "Bun",
  binary: bun,
  entry: fileURLToPath(new URL("./bun-entry.ts", import.meta.url)),
  command: (bundle, mode, secret) => [bun!.path, bundle, mode, secret],
});
