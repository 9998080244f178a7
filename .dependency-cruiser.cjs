// Architecture rules, checked by `pnpm arch` (part of `pnpm test`): the arrows of the design that
// a refactor must not bend. See docs/architecture.md.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import circle: split the module or move the shared piece down.",
      from: { path: "^packages/[^/]+/src" },
      to: { circular: true, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "storage-never-imports-the-pipeline",
      severity: "error",
      comment:
        "The journal, store and queue modules keep storage only: the receiver pipeline (replay included) depends on them, never the other way.",
      from: {
        path: "^packages/core/src/(journal/|journal\\.ts|store/|store\\.ts|queue/|queue\\.ts)",
        pathNot: "\\.test\\.ts$",
      },
      to: { path: "^packages/core/src/receiver/" },
    },
    {
      name: "schemes-never-import-the-pipeline",
      severity: "error",
      comment: "Schemes and the scheme engine describe providers; the receiver reads their facts.",
      from: { path: "^packages/core/src/(scheme|schemes)/", pathNot: "\\.test\\.ts$" },
      to: { path: "^packages/core/src/receiver/" },
    },
    {
      name: "satellites-import-public-entries-only",
      severity: "error",
      comment:
        "Adapters, stores, journals, queues, the test kit and the CLI use @hookgate/core or @hookgate/core/kit, never core's files.",
      from: { path: "^packages/(?!core/)[^/]+/src", pathNot: "\\.test\\.ts$" },
      to: { path: "^packages/core/src/", pathNot: "^packages/core/src/(index|kit)\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
