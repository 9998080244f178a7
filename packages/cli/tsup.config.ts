import { preset } from "../../tsup.preset";

// A binary, not a library: one ESM file with a shebang, no types.
export default preset({
  entry: { cli: "src/cli.ts" },
  format: ["esm"],
  dts: false,
  platform: "node",
  target: "node20",
  banner: { js: "#!/usr/bin/env node" },
});
