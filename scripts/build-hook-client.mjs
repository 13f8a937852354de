// Compiles harness's native helpers into dist/:
//   hooks/harness-hook.c          → dist/harness-hook           the hook client
//   hooks/harness-sandbox-init.c  → dist/harness-sandbox-init   the sandbox's first process (Linux)
// Without a C compiler harness falls back to the portable bash client (hooks/harness-hook.sh), which
// is slower but equally fail-closed, and to the Node sandbox launcher (dist/sandbox/launcher.js),
// which cannot tell the agent from a script it ran at the hook endpoint.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';

const at = (p) => new URL(p, import.meta.url).pathname;
mkdirSync(at('../dist/'), { recursive: true });
const compilers = [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean);

/** Compiles `source` to `target` with the first compiler that manages it; false if none does. */
function build(source, target) {
  for (const cc of compilers) {
    try {
      execFileSync(cc, ['-O2', '-std=c99', '-D_DEFAULT_SOURCE', '-Wall', '-Werror', '-o', target, source], { stdio: 'inherit' });
      return true;
    } catch {
      // try the next compiler
    }
  }
  // a stale binary from an earlier build must not be used with this source
  rmSync(target, { force: true });
  return false;
}

if (!build(at('../hooks/harness-hook.c'), at('../dist/harness-hook'))) {
  console.warn('harness: no C compiler found; hooks will use hooks/harness-hook.sh (slower, still fail-closed)');
}
if (process.platform === 'linux' && !build(at('../hooks/harness-sandbox-init.c'), at('../dist/harness-sandbox-init'))) {
  console.warn('harness: could not compile the sandbox launcher; the sandbox will use the Node launcher, which cannot check who connects to the hook endpoint');
}
