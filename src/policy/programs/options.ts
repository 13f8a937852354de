/**
 * Options that take a value, per program: `''` holds the options before the subcommand (`git -C
 * dir push`, `kubectl -n ns delete`), other keys a subcommand's own options. The shared reading of
 * an option word below uses them: a value-taking short option ends a cluster, and the rest of the
 * word is its value (`git checkout -bfeature` is `-b feature`, not `-b -f -e …`).
 */
export const VALUE_OPTIONS: Record<string, Record<string, readonly string[]>> = {
  git: {
    '': ['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env'],
    checkout: ['-b', '-B', '--orphan', '--conflict', '--pathspec-from-file'],
    switch: ['-c', '-C', '--create', '--force-create', '--orphan', '--conflict'],
    commit: ['-m', '-F', '-C', '-c', '-t', '--message', '--file', '--reuse-message', '--reedit-message', '--template', '--author', '--date', '--fixup', '--squash', '--cleanup', '--trailer', '--pathspec-from-file'],
    tag: ['-m', '-F', '-u', '--message', '--file', '--local-user', '--cleanup', '--sort', '--format', '--contains', '--no-contains', '--merged', '--no-merged', '--points-at'],
    push: ['-o', '--push-option', '--repo', '--receive-pack', '--exec'],
    restore: ['-s', '--source', '--conflict', '--pathspec-from-file'],
    branch: ['-u', '--set-upstream-to', '--contains', '--no-contains', '--merged', '--no-merged', '--points-at', '--format', '--sort'],
    clean: ['-e', '--exclude'],
    stash: ['-m', '--message', '--pathspec-from-file'],
    reset: ['--pathspec-from-file'],
    worktree: ['-b', '-B', '--reason'],
    rebase: ['-x', '--exec', '-s', '--strategy', '-X', '--strategy-option', '--onto'],
  },
  docker: { '': ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey'] },
  kubectl: { '': ['-n', '--namespace', '--context', '--cluster', '--user', '-s', '--server', '--kubeconfig', '--token', '--as', '-l', '--selector'] },
  helm: { '': ['-n', '--namespace', '--kube-context', '--kubeconfig'] },
  aws: { '': ['--profile', '--region', '--output', '--endpoint-url', '--query'] },
  gcloud: { '': ['--project', '--account', '--configuration', '--format', '--zone', '--region'] },
  az: { '': ['--subscription', '-o', '--output', '--query'] },
  npm: { '': ['--prefix', '-w', '--workspace', '--registry', '--otp'] },
  pnpm: { '': ['-C', '--dir', '--filter', '-F'] },
  yarn: { '': ['--cwd'] },
  cargo: { '': ['-Z', '--config', '-C', '--manifest-path'] },
  gh: { '': ['-R', '--repo'] },
  terraform: { '': [] },
  // netcat: `-e PROG` and `-c CMD` take the program to run (`-e/bin/sh` is `-e /bin/sh`)
  nc: { '': ['-e', '-c', '-p', '-s', '-w', '-i', '-q', '-x', '-X', '-I', '-O', '-T', '-m', '-P', '-g', '-G', '--exec', '--sh-exec', '--lua-exec'] },
  env: { '': ['-u', '--unset', '-C', '--chdir', '-S', '--split-string'] },
};
for (const alias of ['ncat', 'netcat', 'nc.traditional', 'nc.openbsd']) VALUE_OPTIONS[alias] = VALUE_OPTIONS.nc!;

/** Options taking a value before `name`'s subcommand. */
export function globalValueOptions(name: string): readonly string[] {
  return VALUE_OPTIONS[name]?.[''] ?? [];
}

/**
 * Options taking a value after `name SUBCOMMAND` (and `name SUB SUB2`), the global ones excluded;
 * for a program declared without subcommands, its options wherever they stand.
 */
export function subcommandValueOptions(name: string, subcommands: readonly string[]): Set<string> {
  const table = VALUE_OPTIONS[name];
  const out = new Set<string>();
  if (!table) return out;
  if (Object.keys(table).length === 1) return new Set(table[''] ?? []);
  for (let k = 1; k <= subcommands.length && k <= 2; k++) for (const o of table[subcommands.slice(0, k).join(' ')] ?? []) out.add(o);
  return out;
}

/**
 * How getopt reads one option word, given the options that take a value: `word` is the option part
 * (a cluster cut after its first value-taking letter: `-fbx` → `-fb`), `takesNext` says whether the
 * following word is that option's value. Words of programs with single-dash long options (`-cmd`)
 * match whole first.
 */
export function readOption(word: string, values: ReadonlySet<string> | readonly string[]): { word: string; takesNext: boolean } {
  const has = (o: string): boolean => (Array.isArray(values) ? (values as readonly string[]).includes(o) : (values as ReadonlySet<string>).has(o));
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    return { word, takesNext: eq < 0 && has(word) };
  }
  if (has(word)) return { word, takesNext: true };
  if (!word.startsWith('-') || word.length <= 2) return { word, takesNext: false };
  for (let j = 1; j < word.length; j++) {
    const c = word[j]!;
    if (!/[A-Za-z0-9]/.test(c)) break;
    if (has(`-${c}`)) return { word: word.slice(0, j + 1), takesNext: j === word.length - 1 };
  }
  return { word, takesNext: false };
}
