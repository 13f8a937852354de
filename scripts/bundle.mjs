// Bundles harness's built modules (dist/, from tsc) into dist/bundle/ with esbuild: one chunk to
// load for the start of `harness run` instead of some 150 modules, each found, read and linked
// apart (the start of the agent waits for them). What only some sessions or commands need (the
// set-up after the agent is spawned, the TUI, the other commands) stays in chunks of its own,
// loaded when it is used; native and UI packages stay outside. bin/harness takes the bundle when it
// exists and dist/cli/entry.js otherwise. Paths that harness computes from its own location work
// from dist/bundle/ as from dist/cli/ (one directory below dist/).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const at = (p) => fileURLToPath(new URL(p, import.meta.url));
const outdir = at('../dist/bundle/');
rmSync(outdir, { recursive: true, force: true });

/**
 * zod's classic API re-exports every translation of its messages; harness uses the English ones
 * (zod's default), so the others are left out of the bundle.
 */
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales-en', namespace: 'harness' } : undefined,
    );
    b.onLoad({ filter: /^zod-locales-en$/, namespace: 'harness' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(at('../node_modules/zod/v4/locales/en.js'))};`,
      loader: 'js',
      resolveDir: at('../'),
    }));
  },
};

await build({
  entryPoints: { entry: at('../dist/cli/entry.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // native addons, and the terminal UI's packages (loaded only with a terminal)
  external: ['better-sqlite3', 'node-pty', '@xterm/*', 'ink', 'react', 'react/*'],
  // CommonJS packages inside the bundle (commander, picomatch) call require for node's modules
  banner: { js: "import { createRequire as __harnessRequire } from 'node:module'; const require = __harnessRequire(import.meta.url);" },
  plugins: [englishOnly],
  legalComments: 'none',
  logLevel: 'warning',
});
