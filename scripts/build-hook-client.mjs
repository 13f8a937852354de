// Compiles harness's native helpers into dist/:
//   hooks/harness-hook.c          → dist/harness-hook           the hook client
//   hooks/harness-sandbox-init.c  → dist/harness-sandbox-init   the sandbox's first process (Linux)
// Without a C compiler harness falls back to the portable bash client (hooks/harness-hook.sh), which
// is slower but equally fail-closed, and to the Node sandbox launcher (dist/sandbox/launcher.js),
// which cannot tell the agent from a script it ran at the hook endpoint. `harness doctor` says which
// ones are in use.
//
// Two ways in:
//   node scripts/build-hook-client.mjs            the developer's build (npm run build): -Werror
//   node scripts/build-hook-client.mjs --install  npm's postinstall, on the machine that installs the
//       package (the tarball ships the C sources, never a binary built elsewhere). It never fails the
//       install: a compiler that is missing, warns about something new or makes a binary that does
//       not run leaves the portable fallback in place.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';

const install = process.argv.includes('--install');
const at = (p) => new URL(p, import.meta.url).pathname;
const compilers = [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean);

/** Compiles `source` to `target` with the first compiler that manages it; false if none does. */
function build(source, target, works = () => true) {
  const partial = `${target}.${process.pid}.tmp`;
  for (const cc of compilers) {
    try {
      const flags = ['-O2', '-std=c99', '-D_DEFAULT_SOURCE', '-Wall', ...(install ? [] : ['-Werror'])];
      execFileSync(cc, [...flags, '-o', partial, source], { stdio: install ? 'pipe' : 'inherit', timeout: 120_000 });
      if (!works(partial)) throw new Error(`${partial} does not run`);
      // in place at once: a hook never starts a half-written client
      renameSync(partial, target);
      return true;
    } catch {
      rmSync(partial, { force: true });
      // try the next compiler
    }
  }
  // a stale binary from an earlier build must not be used with this source
  rmSync(target, { force: true });
  return false;
}

/** The hook client refuses a bad command line with exit 2 and a reason: it was built for this machine and runs. */
const hookClientRuns = (path) => {
  const r = spawnSync(path, [], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 2 && /harness/.test(r.stderr);
};

function main() {
  mkdirSync(at('../dist/'), { recursive: true });
  if (!build(at('../hooks/harness-hook.c'), at('../dist/harness-hook'), hookClientRuns)) {
    console.warn(
      `harness: no C compiler found (${compilers.join(', ')}; set CC to use another); hooks will use hooks/harness-hook.sh (slower, still fail-closed)`,
    );
  }
  if (process.platform === 'linux' && !build(at('../hooks/harness-sandbox-init.c'), at('../dist/harness-sandbox-init'))) {
    console.warn(
      'harness: could not compile the sandbox launcher; the sandbox will use the Node launcher, which cannot check who connects to the hook endpoint',
    );
  }
}

try {
  main();
} catch (error) {
  // the developer's build stops on it; an install goes on with the portable fallbacks
  if (!install) throw error;
  console.warn(`harness: the native helpers were not built (${error?.message ?? error}); the portable ones are used (harness doctor says so)`);
}
