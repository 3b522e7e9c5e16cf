// Layering check (part of `npm test`): the layers of docs/design.md, lowest first. Each layer
// imports only from the layers below it (and the ground floor: src/errors.ts and src/util/);
// no import cycles, type-only imports included; the core entry (`zsmalloc`) reaches no `node:`
// module and no src/**/node/** file; no library entry reaches cli/, demo/ or bench/.
// Run: npm run layering (depcruise src --config .dependency-cruiser.cjs).

/** Folders under src/, lowest layer first; folders on one line are one layer. */
const LAYERS = [
  ['page'],
  ['shrinker'],
  ['pool'],
  ['replay'],
  ['pressure'],
  ['codec'],
  ['store', 'zram'],
  ['bench'],
  ['demo'],
  ['cli'],
];

const dirs = (names) => `^src/(${names.join('|')})/`;

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.join('-')}`,
  comment: `${layer.join('/, ')}/ may import only from lower layers (docs/design.md): not from ${LAYERS.slice(
    i + 1,
  )
    .flat()
    .join('/, ')}/`,
  severity: 'error',
  from: { path: dirs(layer) },
  to: { path: dirs(LAYERS.slice(i + 1).flat()) },
}));

/** Where `node:` modules may be imported: the Node-only folders, the tools and the Node entries. */
const NODE_ALLOWED = '(^src/(cli|demo|bench)/|^src/[a-z-]+/node/|^src/(node|internals)\\.ts$)';

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'ground-floor',
      comment: 'src/errors.ts imports nothing; src/util/ imports only src/util/ and src/errors.ts',
      severity: 'error',
      from: { path: '^src/(errors\\.ts$|util/)' },
      to: { path: '^src/', pathNot: '^src/(errors\\.ts$|util/)' },
    },
    {
      name: 'ground-floor-errors',
      comment: 'src/errors.ts is the lowest module of all',
      severity: 'error',
      from: { path: '^src/errors\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'no-entry-imports',
      comment:
        'code inside the library never imports a package entry (only src/node.ts extends src/index.ts)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/node\\.ts$' },
      to: { path: '^src/(index|node|internals)\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles, type-only imports included',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'node-builtins-only-in-node-code',
      comment: `node: modules only in ${NODE_ALLOWED}: the core entry runs in browsers`,
      severity: 'error',
      from: { path: '^src/', pathNot: NODE_ALLOWED },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-entry-browser-safe',
      comment: 'the core entry (src/index.ts) reaches no src/**/node/** file',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/[a-z-]+/node/', reachable: true },
    },
    {
      name: 'library-without-tools',
      comment: 'no library entry reaches the CLI, the demo or the benchmarks',
      severity: 'error',
      from: { path: '^src/(index|node|internals)\\.ts$' },
      to: { path: '^src/(cli|demo|bench)/', reachable: true },
    },
    {
      name: 'candidates-stay-apart',
      comment: 'src/bench/candidates/ (dev-only comparisons, not built) is imported by nothing else',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/bench/candidates/' },
      to: { path: '^src/bench/candidates/' },
    },
    {
      name: 'no-dev-dependencies-in-shipped-code',
      comment:
        'shipped code imports no devDependency statically (only src/bench/candidates/ may); an optional dynamic import() that handles its absence is fine',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/bench/candidates/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every import resolves',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
};
