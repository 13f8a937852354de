import type { Tag } from '../../types.js';
import type { ProgramDecl, WrapperSpec } from '../types.js';

/** Programs that run another command: their own options, and where the inner command starts. */

const PRIVILEGE: readonly Tag[] = ['privilege'];
const SYSTEMD_TIMERS = ['--on-calendar', '--on-active', '--on-boot', '--on-startup', '--on-unit-active', '--on-unit-inactive', '--on-clock-change', '--on-timezone-change', '--timer-property'];

const GDB: WrapperSpec = {
  valueOpts: [
    '-x', '-ex', '-ix', '-iex', '-p', '-c', '-e', '-s', '-d', '-i', '-se', '-cd', '-tty', '-D', '-b', '-l', '--command', '--eval-command', '--init-command', '--init-eval-command',
    '--pid', '--core', '--exec', '--symbols', '--directory', '--interpreter', '--cd', '--tty', '--data-directory',
  ],
  commandAfter: ['--args'],
  programOperand: true,
};
const PERF_STAT = ['-e', '--event', '-r', '--repeat', '-o', '--output', '-p', '--pid', '-t', '--tid', '-C', '--cpu', '-G', '--cgroup', '-I', '--interval-print', '-x', '--field-separator', '-D', '--delay', '--pre', '--post', '-M', '--metrics', '--log-fd', '--td-level', '--topdown'];
const PERF_RECORD = [
  '-e', '--event', '-o', '--output', '-F', '--freq', '-c', '--count', '-p', '--pid', '-t', '--tid', '-C', '--cpu', '-m', '--mmap-pages', '--call-graph', '-G', '--cgroup',
  '-u', '--uid', '-j', '--branch-filter', '-D', '--delay', '--filter', '-r', '--realtime', '--switch-output', '--max-size', '--aio', '--affinity', '--mmap-flush', '--user-regs', '--intr-regs', '--clockid', '-k',
];
const PERF_TRACE = ['-e', '--event', '--expr', '-o', '--output', '-p', '--pid', '-t', '--tid', '-C', '--cpu', '-u', '--uid', '--duration', '-m', '--mmap-pages', '--call-graph', '--max-stack', '--min-stack', '-F', '--pf', '--filter-pids', '-G', '--cgroup'];
const PERF_OUTPUT = ['-o', '--output'];

const WRAPPERS: Record<string, WrapperSpec> = {
  sudo: {
    valueOpts: ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '--user', '--group', '--host', '--prompt', '--close-from', '--chdir', '--role', '--type', '--other-user', '--command-timeout'],
    cwdOpts: ['-D', '--chdir'],
    shellOpts: ['-s', '-i', '--shell', '--login'],
    assignments: true,
    tags: PRIVILEGE,
  },
  doas: { valueOpts: ['-u', '-C'], shellOpts: ['-s'], tags: PRIVILEGE },
  pkexec: { valueOpts: ['--user'], tags: PRIVILEGE },
  run0: { valueOpts: ['-u', '--user', '-g', '--group', '-D', '--chdir', '--setenv', '--unit', '-p', '--property'], cwdOpts: ['-D', '--chdir'], tags: PRIVILEGE },
  env: {
    valueOpts: ['-u', '--unset', '-C', '--chdir', '-P', '--default-signal', '--ignore-signal', '--block-signal'],
    cwdOpts: ['-C', '--chdir'],
    assignments: true,
  },
  command: { lookupOpts: ['-v', '-V'] },
  builtin: {},
  exec: { valueOpts: ['-a'] },
  nohup: {},
  nice: { valueOpts: ['-n', '--adjustment'] },
  ionice: { valueOpts: ['-c', '-n', '--class', '--classdata'] },
  chrt: { skip: 1 },
  taskset: { skip: 1 },
  timeout: { valueOpts: ['-s', '-k', '--signal', '--kill-after'], skip: 1 },
  time: { valueOpts: ['-o', '-f', '--output', '--format'], outputOpts: ['-o', '--output'] },
  stdbuf: { valueOpts: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  setsid: {},
  flock: { valueOpts: ['-w', '-E', '--timeout', '--conflict-exit-code'], scriptOpts: ['-c', '--command'], scriptAnywhere: true, skip: 1 },
  watch: { valueOpts: ['-n', '--interval', '-q', '--equexit'], joinAsScript: true, execOpts: ['-x', '--exec'] },
  nocorrect: {},
  noglob: {},
  unbuffer: {},
  caffeinate: { valueOpts: ['-t', '-w'] },
  'systemd-run': {
    valueOpts: ['-u', '--unit', '-p', '--property', '-E', '--setenv', '--uid', '--gid', '-M', '--machine', '--working-directory', '--description', '--slice', ...SYSTEMD_TIMERS],
    cwdOpts: ['--working-directory'],
    tagOpts: Object.fromEntries(SYSTEMD_TIMERS.map((o) => [o, 'scheduled'])),
  },
  runuser: { valueOpts: ['-u', '-g', '-G', '--user', '--group', '--supp-group', '-s', '--shell'], scriptOpts: ['-c', '--command'], scriptAnywhere: true, tags: PRIVILEGE },
  su: { valueOpts: ['-g', '-G', '--group', '--supp-group', '-s', '--shell'], scriptOpts: ['-c', '--command'], scriptAnywhere: true, shellOpts: ['-', '-l', '--login'], tags: PRIVILEGE },
  sg: { scriptOpts: ['-c'], scriptAnywhere: true },
  chroot: { valueOpts: ['--userspec', '--groups'], skip: 1, tags: PRIVILEGE },
  strace: { valueOpts: ['-o', '-e', '-p', '-s', '-u', '-E', '-P', '-a', '-b', '-I', '-O', '-S', '-X', '--output'], outputOpts: ['-o', '--output'] },
  ltrace: { valueOpts: ['-o', '-e', '-p', '-s', '-u', '-a', '-n', '-F', '--output'], outputOpts: ['-o', '--output'] },
  'xvfb-run': { valueOpts: ['-n', '-s', '-f', '-e', '-p', '--server-num', '--server-args', '--auth-file', '--error-file'] },
  'dbus-run-session': {},
  busybox: {},
  toybox: {},
  ccache: {},
  sccache: {},
  npx: { valueOpts: ['-p', '--package'], scriptOpts: ['-c', '--call'] },
  bunx: { valueOpts: ['-p', '--package'] },
  pnpx: {},
  'cross-env': { assignments: true },
  dotenv: { valueOpts: ['-e', '-v', '-c'] },
  'direnv-exec': { skip: 1 },
  script: {
    valueOpts: ['-t', '-T', '-I', '-O', '-B', '-E', '-m', '--timing', '--log-in', '--log-out', '--log-io', '--log-timing', '--echo', '--logging-format'],
    scriptOpts: ['-c', '--command'],
    scriptAnywhere: true,
    outputOpts: ['-T', '-I', '-O', '-B', '--timing', '--log-in', '--log-out', '--log-io', '--log-timing'],
    writesOperands: true,
  },
  'nix-shell': { valueOpts: ['-p', '-I', '-A', '--arg', '--argstr', '--packages'], scriptOpts: ['--run', '--command'] },
  entr: {},
  // debuggers, profilers and tracers: what they start is the command (its own options' code is read too)
  valgrind: { outputOpts: ['--log-file', '--xml-file'] },
  gdb: GDB,
  cgdb: GDB,
  lldb: { valueOpts: ['-o', '-O', '-s', '-S', '-k', '-K', '-p', '-n', '-c', '-a', '--one-line', '--source', '--attach-pid', '--attach-name', '--core', '--arch', '--one-line-before-file', '--source-before-file'] },
  heaptrack: { valueOpts: ['-o', '--output', '-p', '--pid'], outputOpts: ['-o', '--output'] },
  catchsegv: {},
  chronic: {},
  faketime: { valueOpts: ['-m', '-f'], skip: 1 },
  torsocks: { valueOpts: ['-u', '-p', '-a', '-P', '--user', '--pass', '--address', '--port'] },
  proxychains: { valueOpts: ['-f'] },
  proxychains4: { valueOpts: ['-f'] },
  // watchexec runs its command words through a shell, unless told not to (`-n`, `--shell=none`)
  watchexec: {
    valueOpts: [
      '-w', '--watch', '-W', '--watch-non-recursive', '-F', '--watch-file', '-e', '--exts', '-f', '--filter', '--filter-file', '-i', '--ignore', '--ignore-file',
      '-s', '--signal', '--stop-signal', '--stop-timeout', '-d', '--debounce', '--delay-run', '--poll', '--shell', '-E', '--env', '--workdir', '-o', '--on-busy-update',
      '--project-origin', '--emit-events-to', '--log-file', '--color', '--fs-events', '--filter-prog', '-j', '--filter-prog-file',
    ],
    cwdOpts: ['--workdir'],
    joinAsScript: true,
    execOpts: ['-n'],
  },
  summon: { valueOpts: ['-p', '--provider', '-f', '--yaml', '-D', '--environment'] },
  envchain: { skip: 1 },
};

/** `pkg-manager SUB … command` forms: the words after SUB (and its options) are a command. */
const SUBCOMMAND_WRAPPERS: Record<string, Record<string, WrapperSpec>> = {
  npm: { exec: { valueOpts: ['-p', '--package', '-w', '--workspace'], scriptOpts: ['-c', '--call'] }, x: { valueOpts: ['-p', '--package'], scriptOpts: ['-c', '--call'] } },
  pnpm: { exec: { valueOpts: ['-C', '--dir', '--filter', '-F'] }, dlx: { valueOpts: ['--package'] } },
  yarn: { exec: {}, dlx: { valueOpts: ['-p', '--package'] } },
  bun: { x: {} },
  uv: { run: { valueOpts: ['--with', '--python', '-p', '--directory', '--project', '--env-file', '--extra', '--group', '--package', '--index', '--index-url'] }, tool: {} },
  uvx: {},
  poetry: { run: {} },
  pipenv: { run: {} },
  pdm: { run: {} },
  hatch: { run: {} },
  bundle: { exec: {} },
  conda: { run: { valueOpts: ['-n', '--name', '-p', '--prefix', '--cwd'] } },
  mamba: { run: { valueOpts: ['-n', '--name', '-p', '--prefix', '--cwd'] } },
  mise: { exec: { valueOpts: ['-C', '--cd'] }, x: { valueOpts: ['-C', '--cd'] } },
  asdf: { exec: {} },
  rbenv: { exec: {} },
  pyenv: { exec: {} },
  direnv: { exec: { skip: 1 } },
  nix: { develop: { scriptOpts: ['-c', '--command'] }, shell: { scriptOpts: ['-c', '--command'] } },
  devbox: { run: {} },
  doppler: { run: { valueOpts: ['-p', '--project', '-c', '--config', '--command'] } },
  op: { run: { valueOpts: ['--env-file'] } },
  'aws-vault': { exec: { valueOpts: ['-d', '--duration', '-t', '--mfa-token', '--region', '--server'], skip: 1 } },
  perf: {
    stat: { valueOpts: PERF_STAT, outputOpts: PERF_OUTPUT },
    record: { valueOpts: PERF_RECORD, outputOpts: PERF_OUTPUT },
    trace: { valueOpts: PERF_TRACE, outputOpts: PERF_OUTPUT },
  },
  rr: { record: { valueOpts: ['-o', '--output-trace-dir', '-c', '--num-cpu-ticks', '-e', '--num-events', '--bind-to-cpu'], outputOpts: ['-o', '--output-trace-dir'] } },
  infisical: { run: { valueOpts: ['--env', '--path', '--projectId', '--token', '--domain', '--tags', '--watch-fallback-interval'] } },
  teller: { run: { valueOpts: ['-c', '--config'] } },
  chamber: { exec: {} },
  berglas: { exec: { valueOpts: ['--local'] } },
  railway: { run: { valueOpts: ['-s', '--service', '-e', '--environment'] } },
  sops: { 'exec-env': { skip: 1 }, 'exec-file': { skip: 1 } },

  opam: { exec: {} },
};


export const WRAPPER_DECLS: ProgramDecl[] = [
  ...Object.entries(WRAPPERS).map(([name, wrapper]): ProgramDecl => ({ names: [name], wrapper })),
  ...Object.entries(SUBCOMMAND_WRAPPERS).map(([name, subcommandWrappers]): ProgramDecl => ({ names: [name], subcommandWrappers })),
];
