import { defineConfig, type Options } from "tsup";

/**
 * The one build preset every published package uses: ESM + CJS + types for each,
 * no bundled dependencies, Node 20 / ES2022 output that edge runtimes also run.
 */
export function preset(overrides: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "es2022",
    platform: "neutral",
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
