import type { ProgramDecl } from '../types.js';

/** Local developer tools: version control, package managers, process wrappers. */
/** Several programs with the same facts: one declaration each (names are one program's aliases). */
/** How compilers, converters and bundlers name the file or directory they write. */
const OUTPUT_OPTIONS = ['-o', '--output', '--out', '--outfile', '--out-file', '--output-file', '--outdir', '--out-dir', '--output-dir', '--outDir', '--outFile'];

function each(names: readonly string[], facts: Omit<ProgramDecl, 'names'>): ProgramDecl[] {
  return names.map((name) => ({ names: [name], ...facts }));
}

/** The output options of a program that declares none: long ones most programs mean so, short ones only with a path value (`-o /abs/path`). */
export const GENERIC_OUTPUTS: { long: readonly string[]; short: readonly string[] } = {
  long: ['--target-dir', '--output', '--output-file', '--outfile', '--out-file', '--log-file', '--logfile', '--output-document', '--save-to', '--dump-file', '--write-to', '--output-path', '--pid-file', '--pidfile', '--trace-file', '--report-file', '--outdir', '--out-dir', '--output-dir', '--output-directory'],
  short: ['-o', '-O'],
};

export const TOOL_DECLS: ProgramDecl[] = [
  // programs that run other commands, each read its own way by the analyzer
  { names: ['eval'], runs: 'eval' },
  { names: ['source', '.'], runs: 'source' },
  {
    names: ['xargs'],
    runs: 'xargs',
    runsOptions: {
      values: ['-a', '--arg-file', '-d', '--delimiter', '-E', '-e', '--eof', '-I', '-J', '-R', '-L', '-l', '--max-lines', '-n', '--max-args', '-P', '--max-procs', '-s', '--max-chars', '--process-slot-var'],
      inputFiles: ['-a', '--arg-file'],
    },
  },
  {
    names: ['parallel'],
    runs: 'parallel',
    runsOptions: {
      values: [
        '-j', '-S', '-P', '-n', '-N', '-L', '-I', '-X', '-d', '-E', '-C', '-a', '--jobs', '--sshlogin', '--sshloginfile', '--max-args', '--max-lines', '--colsep', '--delimiter', '--joblog',
        '--results', '--tmpdir', '--workdir', '--env', '--timeout', '--retries', '--arg-file', '--arg-sep', '--halt', '--delay', '--memfree', '--load', '--basefile', '--bf', '--return',
        '--transfer-file', '--tf', '--tagstring', '--shebang-wrap', '--replace', '--extensionreplace', '--basenamereplace', '--dirnamereplace', '--basenameextensionreplace', '--seqreplace',
        '--slotreplace',
      ],
      inputFiles: ['-a', '--arg-file'],
    },
  },
  {
    names: ['find'],
    runs: 'find',
    runsOptions: {
      exec: ['-exec', '-execdir', '-ok', '-okdir'],
      names: ['-name', '-iname'],
      deletes: ['-delete'],
      // (and -type, which barely narrows)
      broad: ['-print', '-print0', '-type', '-maxdepth', '-mindepth', '-depth', '-xdev', '-mount', '-follow', '-L', '-H', '-P', '-daystart', '-ignore_readdir_race', '-noleaf', '-regextype', '-ls'],
    },
    outputs: ['-fprint', '-fprint0', '-fprintf', '-fls'],
  },
  {
    names: ['fd', 'fdfind'],
    runs: 'fd',
    runsOptions: {
      values: ['-e', '--extension', '-t', '--type', '-d', '--max-depth', '-E', '--exclude', '-S', '--size', '-j', '--threads', '--changed-within', '--changed-before', '-o', '--owner', '--base-directory', '--search-path', '-c', '--color'],
      exec: ['-x', '--exec', '-X', '--exec-batch'],
      extensions: ['-e', '--extension'],
    },
  },
  // programs whose operands are command lines they run (read in shell/indirect.ts): their options' values are not
  {
    names: ['hyperfine'],
    runsOptions: {
      values: [
        '-w', '--warmup', '-m', '--min-runs', '-M', '--max-runs', '-r', '--runs', '-p', '--prepare', '-c', '--cleanup', '-s', '--setup', '--conclude', '-P', '--parameter-scan',
        '-D', '--parameter-step-size', '-L', '--parameter-list', '-S', '--shell', '--style', '--sort', '-u', '--time-unit', '--export-asciidoc', '--export-csv', '--export-json',
        '--export-markdown', '--export-orgmode', '--output', '--input', '-n', '--command-name', '--reference',
      ],
    },
    outputs: ['--export-asciidoc', '--export-csv', '--export-json', '--export-markdown', '--export-orgmode'],
  },
  {
    names: ['concurrently'],
    runsOptions: {
      values: ['-n', '--names', '-c', '--prefix-colors', '-p', '--prefix', '-s', '--success', '--restart-tries', '--restart-after', '-t', '--timestamp-format', '-l', '--prefix-length', '-m', '--max-processes', '--names-separator', '--default-input-target', '--cwd'],
    },
  },
  {
    names: ['docker', 'podman', 'nerdctl'],
    mounts: {
      subcommands: ['run', 'create', 'container', 'compose run', 'compose create'],
      volume: ['-v', '--volume'],
      mount: ['--mount'],
      globalValues: ['-H', '--host', '-c', '--context', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey', '--url', '--connection', '--root', '--runroot'],
    },
    // docker save/export -o FILE, docker build -o DIR
    outputs: ['-o', '--output'],
  },
  {
    names: ['docker-compose', 'podman-compose'],
    mounts: { subcommands: ['run', 'create'], volume: ['-v', '--volume'], mount: [], globalValues: ['-f', '--file', '-p', '--project-name', '--env-file', '--profile', '--project-directory'] },
  },
  {
    names: ['git'],
    runs: 'git',
    // git log/diff/format-patch --output=FILE, format-patch --output-directory DIR
    outputs: ['--output', '--output-directory'],
    // git config --file FILE sets keys in FILE (any file), unless it only reads them
    subcommandOutputs: {
      archive: { options: ['-o', '--output'] },
      config: {
        options: ['-f', '--file'],
        unless: ['--get', '--get-all', '--get-regexp', '--get-urlmatch', '--get-color', '--get-colorbool', '-l', '--list', '--show-origin', '--show-scope', 'get', 'list'],
      },
    },
    globals: {
      values: ['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--config-env', '--super-prefix', '--attr-source', '--list-cmds'],
      flags: [
        '-p', '--paginate', '-P', '--no-pager', '--no-replace-objects', '--no-lazy-fetch', '--no-optional-locks', '--no-advice', '--bare', '--literal-pathspecs',
        '--glob-pathspecs', '--noglob-pathspecs', '--icase-pathspecs', '--exec-path', '--html-path', '--man-path', '--info-path', '--version', '--help', '-v', '-h',
      ],
    },
    completeGlobals: true,
    options: {
      checkout: { values: ['-b', '-B', '--orphan', '--conflict', '--pathspec-from-file'] },
      switch: { values: ['-c', '-C', '--create', '--force-create', '--orphan', '--conflict'] },
      commit: { values: ['-m', '-F', '-C', '-c', '-t', '--message', '--file', '--reuse-message', '--reedit-message', '--template', '--author', '--date', '--fixup', '--squash', '--cleanup', '--trailer', '--pathspec-from-file'] },
      tag: { values: ['-m', '-F', '-u', '--message', '--file', '--local-user', '--cleanup', '--sort', '--format', '--contains', '--no-contains', '--merged', '--no-merged', '--points-at'] },
      push: { values: ['-o', '--push-option', '--repo', '--receive-pack', '--exec'] },
      restore: { values: ['-s', '--source', '--conflict', '--pathspec-from-file'] },
      branch: { values: ['-u', '--set-upstream-to', '--contains', '--no-contains', '--merged', '--no-merged', '--points-at', '--format', '--sort'] },
      clean: { values: ['-e', '--exclude'] },
      stash: { values: ['-m', '--message', '--pathspec-from-file'] },
      reset: { values: ['--pathspec-from-file'] },
      worktree: { values: ['-b', '-B', '--reason'] },
      rebase: { values: ['-x', '--exec', '-s', '--strategy', '-X', '--strategy-option', '--onto'] },
      config: { values: ['-f', '--file', '--blob', '--type', '--default', '--comment', '--value'] },
    },
  },
  { names: ['npm'], completeGlobals: true, globals: { values: ['--prefix', '-w', '--workspace', '--registry', '--otp'] } },
  { names: ['pnpm'], completeGlobals: true, globals: { values: ['-C', '--dir', '--filter', '-F'] } },
  { names: ['yarn'], completeGlobals: true, globals: { values: ['--cwd'] } },
  { names: ['cargo'], completeGlobals: true, globals: { values: ['-Z', '--config', '-C', '--manifest-path'] } },
  { names: ['env'], globals: { values: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string'] } },
  // tools whose own options write a file
  { names: ['script'], files: { role: 'write', valueOpts: ['-c', '--command', '-t', '--timing', '-I', '--log-in', '-O', '--log-out', '-B', '--log-io', '-T', '--log-timing', '-E', '--echo', '-m', '--logging-format'], pathOpts: { '-I': 'write', '--log-in': 'write', '-O': 'write', '--log-out': 'write', '-B': 'write', '--log-io': 'write', '-T': 'write', '--log-timing': 'write' } } },
  ...each(['strace', 'ltrace'], { outputs: ['-o', '--output'] }),
  { names: ['shuf'], outputs: ['-o', '--output'] },
  ...each(['gcc', 'g++', 'cc', 'c++', 'clang', 'clang++', 'tcc', 'rustc', 'go', 'ld', 'zig', 'swiftc', 'pyinstaller'], { compiles: true, outputs: OUTPUT_OPTIONS }),
  ...each(['javac', 'as', 'nasm', 'pandoc', 'ffmpeg', 'convert', 'magick', 'wkhtmltopdf', 'dot', 'mmdc', 'protoc', 'esbuild', 'tsc', 'swc', 'babel', 'rollup', 'webpack', 'sass', 'lessc', 'uglifyjs', 'terser', 'zstd', 'lz4', 'brotli', 'pigz', 'plantuml', 'jar'], { outputs: OUTPUT_OPTIONS }),
  { names: ['ssh-keygen'], outputs: ['-f'] },
  { names: ['aria2c'], outputs: ['-o', '--out', '-d', '--dir', '-l', '--log', '--save-session'] },
  ...each(['gtester', 'g-ir-compiler', 'msgfmt', 'xgettext'], { outputs: ['-o', '--output'] }),
  ...each(['gpg', 'gpg2'], { outputs: ['-o', '--output'] }),
  ...each(['pg_dump', 'pg_dumpall', 'mysqldump', 'mongodump', 'mongoexport', 'sqlcmd', 'bcp'], { outputs: ['-f', '--file', '-o', '--out', '--output', '-r', '--result-file'] }),
];
