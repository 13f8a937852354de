import type { ArchiveDecl, FileSpec, ProgramDecl } from '../types.js';

/** Programs whose operands are files, and what they do to them. */

const READ_TOOLS = ['cat', 'less', 'more', 'bat', 'batcat', 'nl', 'od', 'xxd', 'hexdump', 'strings', 'base64', 'base32', 'tac', 'wc', 'md5sum', 'sha1sum', 'sha256sum', 'sha512sum', 'shasum', 'cksum', 'file', 'paste', 'column', 'iconv', 'view', 'source', '.', 'diff', 'cmp', 'comm', 'uniq', 'fold', 'fmt', 'expand', 'rev', 'look', 'gpg', 'split', 'csplit', 'pr', 'zcat', 'zless', 'bzcat', 'xzcat', 'lsattr', 'getfacl'];

const FILES: Record<string, FileSpec> = {
  rm: { role: 'delete', recursive: ['-r', '-R', '--recursive'] },
  rmdir: { role: 'delete' },
  unlink: { role: 'delete' },
  shred: { role: 'delete', valueOpts: ['-n', '-s', '--iterations', '--size', '--random-source'] },
  trash: { role: 'delete', recursive: ['-r'] },
  'trash-put': { role: 'delete' },
  srm: { role: 'delete', recursive: ['-r', '-R'] },
  // npm's deleting tools, run through npx and the like: whole trees, always
  rimraf: { role: 'delete', alwaysRecursive: true },
  del: { role: 'delete', alwaysRecursive: true },
  'del-cli': { role: 'delete', alwaysRecursive: true },
  'trash-cli': { role: 'delete', alwaysRecursive: true },
  mv: { role: 'move', valueOpts: ['-S', '--suffix'], targetOpts: ['-t', '--target-directory'] },
  cp: { role: 'copy', recursive: ['-r', '-R', '-a', '--recursive', '--archive'], valueOpts: ['-S', '--suffix'], targetOpts: ['-t', '--target-directory'] },
  install: { role: 'copy', valueOpts: ['-m', '--mode', '-o', '--owner', '-g', '--group', '-S', '--suffix'], targetOpts: ['-t', '--target-directory'] },
  ln: { role: 'link', valueOpts: ['-S', '--suffix'], targetOpts: ['-t', '--target-directory'] },
  rsync: {
    role: 'copy',
    recursive: ['-r', '-a', '--recursive', '--archive'],
    valueOpts: ['-e', '--rsh', '--exclude', '--include', '--filter', '-f', '--chmod', '--chown', '--rsync-path', '--port', '--bwlimit', '-T', '--temp-dir', '--partial-dir', '--backup-dir', '--suffix', '--log-file', '--exclude-from', '--include-from', '--files-from', '--compare-dest', '--copy-dest', '--link-dest'],
    slashContents: true,
    deleteOpts: ['--delete', '--delete-before', '--delete-during', '--delete-delay', '--delete-after', '--delete-excluded', '--del'],
    dryRunOpts: ['-n', '--dry-run'],
  },
  scp: { role: 'copy', recursive: ['-r'], valueOpts: ['-P', '-i', '-o', '-F', '-c', '-l', '-J', '-S'], pathOpts: { '-i': 'read', '-F': 'read' } },
  tee: { role: 'write' },
  touch: { role: 'write', attributesOnly: true, valueOpts: ['-d', '-t', '-r', '--date', '--reference'] },
  mkdir: { role: 'write', valueOpts: ['-m', '--mode'] },
  mkfifo: { role: 'write', valueOpts: ['-m', '--mode'] },
  truncate: { role: 'write', valueOpts: ['-s', '--size', '-r', '--reference'] },
  fallocate: { role: 'write', valueOpts: ['-l', '--length', '-o', '--offset'] },
  // secret scanners read everything under the directory they are pointed at (after their subcommand)
  trufflehog: { role: 'read', skip: 1, alwaysRecursive: true, valueOpts: ['-j', '--json', '--concurrency', '--include-paths', '--exclude-paths', '--config', '--results'] },
  gitleaks: { role: 'read', skip: 1, alwaysRecursive: true, valueOpts: ['-c', '--config', '-r', '--report-path', '-f', '--report-format', '--log-level', '--baseline-path', '--max-target-megabytes'], pathOpts: { '-s': 'read', '--source': 'read' } },
  'detect-secrets': { role: 'read', skip: 1, alwaysRecursive: true, valueOpts: ['--baseline', '-c', '--cores', '--exclude-files', '--exclude-lines', '--exclude-secrets'] },
  chmod: { role: 'write', attributesOnly: true, recursive: ['-R', '--recursive'], skip: 1 },
  chown: { role: 'write', attributesOnly: true, recursive: ['-R', '--recursive'], skip: 1 },
  chgrp: { role: 'write', attributesOnly: true, recursive: ['-R', '--recursive'], skip: 1 },
  chattr: { role: 'write', attributesOnly: true, recursive: ['-R'], skip: 1 },
  setfacl: { role: 'write', attributesOnly: true, recursive: ['-R', '--recursive'], valueOpts: ['-m', '-x', '-M', '-X', '--modify', '--remove', '--set', '--set-file'] },
  mkfs: { role: 'write' },
  wipefs: { role: 'write' },
  vi: { role: 'write' },
  vim: { role: 'write' },
  nvim: { role: 'write' },
  nano: { role: 'write' },
  emacs: { role: 'write' },
  ed: { role: 'write' },
  head: { role: 'read', valueOpts: ['-n', '-c', '--lines', '--bytes'] },
  tail: { role: 'read', valueOpts: ['-n', '-c', '--lines', '--bytes', '--pid', '-s', '--sleep-interval'] },
  sort: { role: 'read', valueOpts: ['-k', '-t', '-o', '-S', '-T', '--key', '--field-separator', '--output', '--buffer-size', '--temporary-directory'], pathOpts: { '-o': 'write', '--output': 'write' } },
  cut: { role: 'read', valueOpts: ['-d', '-f', '-b', '-c', '--delimiter', '--fields', '--bytes', '--characters', '--output-delimiter'] },
  grep: { role: 'read', skip: 1, valueOpts: ['-e', '-f', '-m', '-A', '-B', '-C', '--regexp', '--file', '--max-count', '--include', '--exclude', '--exclude-dir', '--color', '--label', '-d', '-D'], recursive: ['-r', '-R', '--recursive'], patternOpts: ['-e', '-f', '--regexp', '--file'] },
  egrep: { role: 'read', skip: 1, valueOpts: ['-e', '-f', '-m', '-A', '-B', '-C'], recursive: ['-r', '-R'], patternOpts: ['-e', '-f'] },
  fgrep: { role: 'read', skip: 1, valueOpts: ['-e', '-f', '-m', '-A', '-B', '-C'], recursive: ['-r', '-R'], patternOpts: ['-e', '-f'] },
  rg: { role: 'read', skip: 1, alwaysRecursive: true, patternOpts: ['-e', '-f', '--regexp', '--file'], valueOpts: ['-e', '-f', '-g', '-t', '-T', '-m', '-A', '-B', '-C', '-M', '-j', '--glob', '--type', '--type-not', '--regexp', '--file', '--max-count', '--max-columns', '--threads', '--sort', '--sortr', '--color', '--colors', '-r', '--replace', '--max-depth', '-d', '--pre', '--ignore-file'] },
  ag: { role: 'read', skip: 1, alwaysRecursive: true, valueOpts: ['-G', '--ignore', '-m', '-A', '-B', '-C', '--depth'] },
  jq: { role: 'read', skip: 1, valueOpts: ['--arg', '--argjson', '--slurpfile', '--rawfile', '--indent', '-L', '--args'] },
  yq: { role: 'read', skip: 1 },
  tr: { role: 'read', skip: 99 },
  // the database file, which any statement may change; then SQL, not paths
  sqlite3: { role: 'write', take: 1, singleDash: true, valueOpts: ['-cmd', '-separator', '-newline', '-nullvalue', '-init', '-vfs', '-maxsize', '-mmap', '-pagecache', '-lookaside', '-heap'] },
  duckdb: { role: 'write', take: 1, singleDash: true, valueOpts: ['-c', '-cmd', '-s', '-separator', '-newline', '-nullvalue', '-init'] },
  openssl: { role: 'read', skip: 99, singleDash: true, pathOpts: { '-in': 'read', '-out': 'write', '-key': 'read', '-inkey': 'read', '-keyout': 'write' } },
  tar: { role: 'read', recursive: ['--recursion'], valueOpts: ['-C', '--directory', '-T', '--files-from', '-X', '--exclude-from', '--exclude', '-b', '--transform', '--strip-components'], pathOpts: { '-T': 'read', '--files-from': 'read' } },
  zip: { role: 'read', recursive: ['-r'], valueOpts: ['-x', '-i', '-P', '--password'] },
  // the commit message git wrote (`--edit .git/COMMIT_EDITMSG`), read and linted
  commitlint: {
    role: 'read',
    valueOpts: ['-e', '--edit', '-g', '--config', '-x', '--extends', '-f', '--from', '-t', '--to', '-d', '--cwd', '-H', '--help-url', '-p', '--parser-preset', '-o', '--format'],
    pathOpts: { '-e': 'read', '--edit': 'read', '-g': 'read', '--config': 'read' },
  },
};
for (const tool of READ_TOOLS) FILES[tool] ??= { role: 'read' };
FILES.uniq = { role: 'read', outputOperand: 1, valueOpts: ['-f', '-s', '-w', '--skip-fields', '--skip-chars', '--check-chars', '--group', '--all-repeated'] };
FILES.xxd = { role: 'read', outputOperand: 1, valueOpts: ['-c', '-g', '-l', '-o', '-s', '-n', '-C', '-cols', '-len', '-seek'] };
FILES.sponge = { role: 'write' };
// compressors that replace each operand with its copy: gzip and its kin delete the operand unless kept,
// zstd, lz4 and brotli keep it unless told to remove it
const GZIP_LIKE = { keep: ['-k', '--keep'], stdout: ['-c', '--stdout', '--to-stdout', '-t', '--test', '-l', '--list'] };
for (const [tool, valueOpts] of Object.entries({
  gzip: ['-S', '--suffix'],
  gunzip: ['-S', '--suffix'],
  pigz: ['-S', '--suffix', '-p', '--processes', '-b', '--blocksize'],
  unpigz: ['-S', '--suffix', '-p', '--processes'],
  xz: ['-S', '--suffix', '-T', '--threads', '-F', '--format', '-C', '--check', '-M', '--memlimit', '--files', '--files0'],
  unxz: ['-S', '--suffix', '-T', '--threads', '-F', '--format', '-M', '--memlimit'],
  lzma: ['-S', '--suffix', '-T', '--threads', '-M', '--memlimit'],
  unlzma: ['-S', '--suffix', '-M', '--memlimit'],
  bzip2: [],
  bunzip2: [],
  lzip: ['-o', '--output', '-b', '-m', '-s'],
  compress: ['-b'],
  uncompress: [],
}))
  FILES[tool] = { role: 'read', recursive: ['-r', '--recursive'], valueOpts, replaces: GZIP_LIKE };
for (const [tool, valueOpts] of Object.entries({
  zstd: ['-o', '-D', '--patch-from', '--format', '-T', '--threads', '--output-dir-flat', '--output-dir-mirror'],
  unzstd: ['-o', '-D', '--patch-from'],
  lz4: ['-o', '-B'],
  brotli: ['-o', '--output', '-q', '--quality', '-w', '--lgwin', '-S', '--suffix', '-D', '--dictionary'],
}))
  FILES[tool] = { role: 'read', recursive: ['-r', '--recursive'], valueOpts, replaces: { ...GZIP_LIKE, only: ['--rm', ...(tool === 'brotli' ? ['-j'] : [])] } };
for (const tool of ['dos2unix', 'unix2dos', 'mac2unix', 'unix2mac']) FILES[tool] = { role: 'write', valueOpts: ['-n', '--newfile', '-c', '--convmode'] };
FILES.patch = { role: 'write', valueOpts: ['-p', '-F', '-z', '-B', '-Y', '-D', '-V', '-g', '--strip', '--fuzz', '--suffix', '--prefix', '--ifdef', '--get'], pathOpts: { '-i': 'read', '--input': 'read', '-o': 'write', '--output': 'write', '-r': 'write', '--reject-file': 'write', '-d': 'read', '--directory': 'read' } };

/**
 * Programs whose operands are not file contents they read: names, patterns, numbers, text to
 * print, directories they only list. Without this, any operand of a program is a possible read.
 */
const NO_FILES = [
  'echo', 'printf', 'test', '[', '[[', 'true', 'false', 'sleep', 'kill', 'pkill', 'killall', 'pgrep', 'which', 'type', 'command', 'hash', 'export', 'unset', 'alias',
  'unalias', 'set', 'shift', 'exit', 'return', 'wait', 'jobs', 'fg', 'bg', 'cd', 'pushd', 'popd', 'dirs', 'ls', 'll', 'dir', 'exa', 'eza', 'lsd', 'tree', 'stat', 'du',
  'df', 'realpath', 'readlink', 'dirname', 'basename', 'pwd', 'whoami', 'id', 'date', 'uname', 'hostname', 'seq', 'yes', 'expr', 'bc', 'let', 'read', 'local',
  'declare', 'typeset', 'readonly', 'getopts', 'umask', 'ulimit', 'nproc', 'uptime', 'ps', 'top', 'htop', 'free', 'lsof', 'help', 'whatis',
  'apropos', 'tput', 'clear', 'reset', 'stty', 'tty', 'printenv', 'logger', 'notify-send', 'column', 'numfmt', 'factor', 'namei', 'mkdir', 'touch', 'sha256sum',
];

/** Archivers: their modes, the archive, and the directory they extract into. */
const TAR: ArchiveDecl = {
  style: 'tar',
  extract: ['-x', '--extract', '--get'],
  create: ['-c', '-r', '-u', '--create', '--append'],
  file: ['-f', '--file'],
  directory: ['-C', '--directory'],
  stdout: ['-O', '--to-stdout', '--to-command'],
  renames: ['--transform', '--xform', '--strip-components'],
  absolute: ['-P', '--absolute-names'],
};
const SEVEN_ZIP: ArchiveDecl = { style: '7z', extract: ['x', 'e'], create: ['a', 'u', 'd', 'rn'], directory: ['-o'], stdout: ['-so'] };
const ARCHIVES: Record<string, ArchiveDecl> = {
  tar: TAR,
  cpio: { style: 'cpio', extract: ['-i', '--extract'], create: ['-o', '--create'], copy: ['-p', '--pass-through'] },
  unzip: { style: 'zip', directory: ['-d'], values: ['-P'], excludes: ['-x'], stdout: ['-l', '-t', '-v', '-z', '-Z', '-p', '-c'] },
  '7z': SEVEN_ZIP,
  '7za': SEVEN_ZIP,
  '7zr': SEVEN_ZIP,
  '7zz': SEVEN_ZIP,
  unrar: { style: '7z', extract: ['x', 'e'], directory: ['-op'], directoryOperand: true },
};

/** TeX reads the files its document text names (`\input{…}`, `\verbatiminput{…}`). */
const TEX = ['tex', 'latex', 'pdftex', 'pdflatex', 'xetex', 'xelatex', 'luatex', 'lualatex', 'latexmk'];

export const FILE_DECLS: ProgramDecl[] = [
  ...Object.entries(FILES).map(([name, files]): ProgramDecl => ({ names: [name], files })),
  ...NO_FILES.filter((name) => !(name in FILES)).map((name): ProgramDecl => ({ names: [name], files: { role: 'none' } })),
  ...Object.entries(ARCHIVES).map(([name, archive]): ProgramDecl => ({ names: [name], archive })),
  // GNU tar and libarchive's under their own names
  { names: ['tar', 'gtar', 'bsdtar'] },
  { names: ['dd'], keyedOperands: { if: 'read', of: 'write' } },
  ...TEX.map((name): ProgramDecl => ({ names: [name], fileCalls: 'tex' })),
  // SQLite's and DuckDB's file functions in the SQL they are given
  ...['sqlite3', 'duckdb'].map((name): ProgramDecl => ({ names: [name], fileCalls: 'sql' })),
];
