import type { Arg } from '../types.js';
import { joinedArgs, textArg } from './words.js';
import { programOf } from '../programs/registry.js';

/**
 * Ways a command runs code that is not its argv: shell commands hidden in option values,
 * in environment variables, and in config that a later command obeys.
 */

/** Environment variables whose value a program runs as a shell command. */
export const ENV_SHELL_COMMANDS = new Set([
  'PROMPT_COMMAND',
  'PS0',
  'PS1',
  'PS2',
  'PS4',
  'GIT_PAGER',
  'PAGER',
  'MANPAGER',
  'SYSTEMD_PAGER',
  'GIT_EDITOR',
  'EDITOR',
  'VISUAL',
  'FCEDIT',
  'GIT_SEQUENCE_EDITOR',
  'GIT_SSH_COMMAND',
  'GIT_EXTERNAL_DIFF',
  'LESSOPEN',
  'LESSCLOSE',
  'BROWSER',
]);

/** Environment variables that make programs load code from somewhere harness does not see. */
export const ENV_HIDDEN_CODE = new Set([
  'LD_PRELOAD',
  'LD_AUDIT',
  'LD_LIBRARY_PATH',
  'DYLD_INSERT_LIBRARIES',
  'DYLD_LIBRARY_PATH',
  'BASH_ENV',
  'ENV',
  'ZDOTDIR',
  'NODE_OPTIONS',
  'PYTHONSTARTUP',
  'PYTHONINSPECT',
  'PERL5OPT',
  'RUBYOPT',
  'GIT_SSH',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'GIT_EXEC_PATH',
  'GIT_TEMPLATE_DIR',
  'GIT_CONFIG_COUNT',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'npm_config_script_shell',
  'NPM_CONFIG_SCRIPT_SHELL',
  'npm_config_node_options',
  'SHELLOPTS',
  'BASHOPTS',
  'GCONV_PATH',
  'LESSKEY',
  'HOSTALIASES',
  'MAKEFILES',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'TAR_OPTIONS',
]);

export interface IndirectCode {
  /** Shell command lines carried in option values. */
  scripts: Arg[];
  /** Code is loaded from somewhere harness cannot read (a template, a script shell, make --eval). */
  hidden: boolean;
}

function valueOf(args: Arg[], i: number, name: string): Arg | undefined {
  const word = args[i]!.value;
  if (word === name) return args[i + 1];
  if (name.startsWith('--') && word.startsWith(`${name}=`)) return { ...args[i]!, value: word.slice(name.length + 1), pattern: word.slice(name.length + 1) };
  if (!name.startsWith('--') && word.startsWith(name) && word.length > name.length)
    return { ...args[i]!, value: word.slice(name.length), pattern: word.slice(name.length) };
  return undefined;
}

/** Programs whose operands (after the subcommand, for tmux) are shell command lines they run. */
const COMMAND_OPERANDS: Record<string, readonly string[] | null> = {
  hyperfine: null,
  concurrently: null,
  tmux: [
    'new-session',
    'new',
    'new-window',
    'neww',
    'split-window',
    'splitw',
    'run-shell',
    'run',
    'respawn-pane',
    'respawnp',
    'respawn-window',
    'respawnw',
    'pipe-pane',
    'pipep',
    'if-shell',
    'if',
  ],
  screen: null,
};

const COMPILERS = new Set(['gcc', 'g++', 'cc', 'c++', 'c89', 'c99', 'clang', 'clang++', 'gfortran']);

/** Shell escapes of database clients, in the statements they are given: psql `\\! cmd`, mysql `system cmd`, sqlite3 `.shell cmd`. */
const SQL_SHELL_ESCAPES: Record<string, RegExp> = {
  psql: /(?:^|\n|;)\s*\\!\s*([^\n]*)/,
  mysql: /(?:^|\n|;)\s*(?:\\!|system)\s+([^\n;]*)/i,
  mariadb: /(?:^|\n|;)\s*(?:\\!|system)\s+([^\n;]*)/i,
  sqlite3: /(?:^|\n|;)\s*\.(?:shell|system)\s+([^\n]*)/,
  duckdb: /(?:^|\n|;)\s*\.(?:shell|system)\s+([^\n]*)/,
};

/** Ex commands that do nothing harness needs to see: go to a line, quit, write the file, set an option other than the shell. */
const SAFE_EX =
  /^:?\s*(?:\d+|\$|q!?|qa!?|wq!?|x!?|w!?|noh(?:lsearch)?|syntax\s+\w+|set\s+(?!(?:shell|sh|shellcmdflag|makeprg|grepprg|keywordprg|backupdir|directory|undodir|viminfo|shada|packpath|runtimepath|rtp|pp)\b)[\w=,.-]+|%?s(.).*\1.*\1[gcein]*|normal!?\s.*|g(.).*\2\s*d)$/;

/** gdb commands that run the debugged program or show it (not a shell, python or a file dump). */
const SAFE_GDB =
  /^(?:r|run|c|continue|bt|backtrace|where|info\s+\w+|thread\s+apply\s+all\s+bt|p(?:rint)?\s.*|x\/\S+\s.*|list|l|frame\s+\d+|up|down|quit|q|set\s+(?:pagination|confirm|print)\s.*|b(?:reak)?\s.*|start|next|n|step|s|finish|disassemble.*|core-file\s+\S+|file\s+\S+|attach\s+\d+|detach|kill|generate-core-file.*)$/;

const EDITORS = new Set(['vim', 'vi', 'nvim', 'ex', 'view', 'gvim', 'rvim']);
const SSH_COMMAND_OPTIONS = /^(ProxyCommand|LocalCommand|KnownHostsCommand|RemoteCommand)=(.*)$/is;

function script(value: string, from: Arg): Arg {
  return textArg(value, from.dynamic);
}

/** Programs some word of whose argv the loop below looks at. */
function looksAtWords(name: string): boolean {
  return (
    programOf(name)?.codeOptions !== undefined ||
    name in COMMAND_OPERANDS ||
    name in SQL_SHELL_ESCAPES ||
    EDITORS.has(name) ||
    COMPILERS.has(name) ||
    /^(?:tar|gdb|cgdb|ssh|scp|sftp|lftp|ftp|git|npm|pnpm|yarn|make|gmake|tex|(?:pdf|xe|lua)?latex)$/.test(name)
  );
}

export function indirectCode(name: string, args: Arg[]): IndirectCode {
  const out: IndirectCode = { scripts: [], hidden: false };
  const codeOptions = programOf(name)?.codeOptions;
  const options = codeOptions?.shell ?? [];
  for (let i = 0; i < (looksAtWords(name) ? args.length : 0); i++) {
    const word = args[i]!.value;
    for (const option of options) {
      const v = valueOf(args, i, option);
      if (v) out.scripts.push(v);
    }
    if (name === 'tar') {
      const m = /^--checkpoint-action=(?:exec|shell)=(.*)$/s.exec(word);
      if (m) out.scripts.push(script(m[1]!, args[i]!));
    }
    if (EDITORS.has(name)) {
      // vim -c '!cmd' / +'!cmd' / -c ':!cmd': a shell command; any other ex command but the plain ones is code harness cannot read
      const v = word === '-c' || word === '--cmd' ? args[i + 1]?.value : word.startsWith('+') ? word.slice(1) : undefined;
      const m = v !== undefined ? /^:?\s*!(.*)$/s.exec(v) : null;
      if (m) out.scripts.push(script(m[1]!, args[i]!));
      else if (v !== undefined && v !== '' && (args[i + 1]?.dynamic || !v.split('|').every((c) => SAFE_EX.test(c.trim())))) out.hidden = true;
    }
    if (name === 'gdb' || name === 'cgdb') {
      const v =
        word === '-ex' || word === '--eval-command' ? args[i + 1] : word.startsWith('--eval-command=') ? { ...args[i]!, value: word.slice(15) } : undefined;
      if (v) {
        const m = /^\s*(?:!|shell\s+)(.*)$/s.exec(v.value);
        if (m) out.scripts.push(script(m[1]!, v));
        else if (v.dynamic || !SAFE_GDB.test(v.value.trim())) out.hidden = true;
      }
    }
    // gcc -wrapper PROG,ARGS runs every compiler pass through PROG
    if (COMPILERS.has(name) && word === '-wrapper' && args[i + 1]) out.scripts.push(script(args[i + 1]!.value.split(',').join(' '), args[i + 1]!));
    // lftp, ftp and sftp run `!cmd` lines in a local shell
    if ((name === 'lftp' || name === 'ftp' || name === 'sftp') && /(?:^|[;\n])\s*!/.test(word))
      for (const m of word.matchAll(/(?:^|[;\n])\s*!([^;\n]*)/g)) out.scripts.push(script(m[1]!, args[i]!));
    const escape = SQL_SHELL_ESCAPES[name]?.exec(word);
    if (escape) out.scripts.push(script(escape[1]!, args[i]!));
    for (const option of codeOptions?.hidden ?? []) {
      if (word === option || (option.startsWith('--') && word.startsWith(`${option}=`))) out.hidden = true;
    }
    // TeX primitives that run commands, in the document text given on the command line
    if (/^(?:pdf|xe|lua)?latex$|^tex$/.test(name) && /\\(?:write18|immediate\\write18|input\|)/.test(word)) out.hidden = true;
    if (name === 'ssh' || name === 'scp' || name === 'sftp') {
      const v = word === '-o' ? args[i + 1]?.value : word.startsWith('-o') ? word.slice(2) : undefined;
      const m = v !== undefined ? SSH_COMMAND_OPTIONS.exec(v.trim()) : null;
      if (m) out.scripts.push(script(m[2]!, args[i]!));
    }
    if (name === 'git' && (word === '--template' || word.startsWith('--template='))) out.hidden = true;
    if (name === 'git' && word === '-u' && ['clone', 'fetch', 'ls-remote', 'archive'].includes(args[0]?.value ?? '')) {
      const v = args[i + 1];
      if (v) out.scripts.push(v);
    }
    if ((name === 'npm' || name === 'pnpm' || name === 'yarn') && (word === '--script-shell' || word.startsWith('--script-shell='))) out.hidden = true;
    if (name === 'make' || name === 'gmake') {
      if (word === '-E' || word.startsWith('--eval')) out.hidden = true;
    }
  }
  const runs = COMMAND_OPERANDS[name];
  if (runs !== undefined) {
    const sub = args.findIndex((a) => !a.value.startsWith('-'));
    if (runs === null || (sub !== -1 && runs.includes(args[sub]!.value))) {
      const from = runs === null ? 0 : sub + 1;
      // (the values of its declared options are no command lines: `hyperfine -n name 'cmd'`)
      const values = programOf(name)?.runsOptions?.values ?? [];
      const operands: Arg[] = [];
      for (let k = from; k < args.length; k++) {
        const w = args[k]!.value;
        if (!w.startsWith('-')) operands.push(args[k]!);
        else if (values.includes(w)) k++;
      }
      // tmux and screen run the last operand as a command line; hyperfine and concurrently each of them
      for (const a of runs === null && name !== 'screen' ? operands : operands.slice(-1)) out.scripts.push(a);
    }
  }
  // `make CC='cmd;' build`: a variable on the command line replaces the Makefile's, in recipes harness sees as MAKEVAR
  if ((name === 'make' || name === 'gmake') && args.some((a) => /^[A-Za-z_]\w*=.*[;|&`]|^[A-Za-z_]\w*=.*\$\(/.test(a.value))) out.hidden = true;
  // npm pkg set scripts.test='…' / npm set-script test '…': the value runs later as a shell command
  if (name === 'npm' && args[0]?.value === 'pkg' && args[1]?.value === 'set') {
    for (const a of args.slice(2)) {
      const m = /^scripts\.[^=]+=(.*)$/s.exec(a.value);
      if (m) out.scripts.push(script(m[1]!, a));
    }
  }
  if (name === 'npm' && args[0]?.value === 'set-script' && args[2]) out.scripts.push(args[2]);
  return out;
}

/** Whether a loader variable's value actually loads code (NODE_OPTIONS=--max-old-space-size does not). */
export function hiddenEnvValue(name: string, value: Arg | null): boolean {
  // the file an interactive POSIX shell sources: a word like `development` (a deployment's name, as
  // scripts use ENV) names no script; a path or a computed value may
  if (name === 'ENV') return value === null || value.dynamic || /[/.~$]/.test(value.value);
  if (name === 'JAVA_TOOL_OPTIONS' || name === '_JAVA_OPTIONS' || name === 'JDK_JAVA_OPTIONS')
    return value === null || value.dynamic || /-(?:javaagent|agentpath|agentlib|XX:OnOutOfMemoryError)/.test(value.value);
  if (name === 'TAR_OPTIONS')
    return (
      value === null ||
      value.dynamic ||
      /--(?:to-command|use-compress-program|checkpoint-action|info-script|new-volume-script|rsh-command)|(?:^|\s)-I/.test(value.value)
    );
  if (name === 'NODE_OPTIONS' || name === 'npm_config_node_options') {
    return value === null || value.dynamic || /(^|\s)(-r|--require|--import|--loader|--experimental-loader|--env-file)(\s|=|$)/.test(value.value);
  }
  return true;
}

const SSH_VALUE_OPTS = new Set([
  '-p',
  '-i',
  '-l',
  '-o',
  '-F',
  '-J',
  '-L',
  '-R',
  '-D',
  '-b',
  '-c',
  '-E',
  '-e',
  '-I',
  '-m',
  '-O',
  '-Q',
  '-S',
  '-W',
  '-w',
  '-B',
  '-P',
]);

/** `ssh [opts] host command…`: the command words, joined as the remote shell sees them. */
export function sshRemoteCommand(args: Arg[]): Arg | null {
  let i = 0;
  for (; i < args.length; i++) {
    const w = args[i]!.value;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-')) break;
    if (SSH_VALUE_OPTS.has(w)) i++;
  }
  const words = args.slice(i + 1);
  return words.length === 0 ? null : joinedArgs(words);
}

/**
 * Variables that turn off TLS or package verification, or send package managers to another
 * registry or proxy: `NODE_TLS_REJECT_UNAUTHORIZED=0`, `GIT_SSL_NO_VERIFY=1`, `GOSUMDB=off`,
 * `PIP_INDEX_URL=…`. The test says when the value does it (null: any value).
 */
const WEAKENING: Record<string, RegExp | null> = {
  NODE_TLS_REJECT_UNAUTHORIZED: /^0$/,
  GIT_SSL_NO_VERIFY: /^(?!0$|false$|no$|$)/i,
  PYTHONHTTPSVERIFY: /^0$/,
  NPM_CONFIG_STRICT_SSL: /^(?:false|0|no)$/i,
  YARN_ENABLE_STRICT_SSL: /^(?:false|0|no)$/i,
  YARN_STRICT_SSL: /^(?:false|0|no)$/i,
  CURL_CA_BUNDLE: /^(?:|\/dev\/null)$/,
  REQUESTS_CA_BUNDLE: /^(?:|\/dev\/null)$/,
  GOSUMDB: /^off$/i,
  GONOSUMDB: null,
  GONOSUMCHECK: null,
  GONOSUMCHECKSUM: null,
  GOINSECURE: null,
  GOFLAGS: /-insecure\b/,
  GOPROXY: /^(?!(?:https:\/\/proxy\.golang\.org)?(?:,?direct)?$|off$)/,
  PIP_TRUSTED_HOST: null,
  PIP_INDEX_URL: null,
  PIP_EXTRA_INDEX_URL: null,
  UV_INDEX_URL: null,
  UV_EXTRA_INDEX_URL: null,
  UV_INSECURE_HOST: null,
  NPM_CONFIG_REGISTRY: null,
  YARN_NPM_REGISTRY_SERVER: null,
  BUNDLE_MIRROR__ALL: null,
};

/** Whether an assignment weakens verification or swaps a registry (see WEAKENING). */
export function weakensVerification(name: string, value: { value: string; dynamic: boolean } | null): boolean {
  const upper = name.toUpperCase();
  if (!(upper in WEAKENING)) return false;
  const test = WEAKENING[upper];
  return test === null || value === null || value.dynamic || test!.test(value.value);
}
