// Compiles the native hook client (hooks/harness-hook.c) into dist/. Without a C compiler harness
// falls back to the portable bash client (hooks/harness-hook.sh), which is slower but equally fail-closed.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const source = new URL('../hooks/harness-hook.c', import.meta.url).pathname;
const target = new URL('../dist/harness-hook', import.meta.url).pathname;
mkdirSync(new URL('../dist/', import.meta.url).pathname, { recursive: true });
for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
  try {
    execFileSync(cc, ['-O2', '-std=c99', '-D_DEFAULT_SOURCE', '-Wall', '-Werror', '-o', target, source], { stdio: 'inherit' });
    process.exit(0);
  } catch {
    // try the next compiler
  }
}
console.warn('harness: no C compiler found; hooks will use hooks/harness-hook.sh (slower, still fail-closed)');
