import type { Arg } from '../types.js';
import { joinedArgs } from './words.js';
import type { Language } from './inline-code.js';

export type CodeSource =
  | { mode: 'inline'; code: Arg }
  | { mode: 'stdin' }
  | { mode: 'file'; file: Arg }
  /** Runs a module (python -m) or treats stdin as data (awk, sed): no program text to inspect. */
  | { mode: 'none' };

export interface Invocation {
  source: CodeSource;
  /** File operands the program reads, or rewrites when `inPlace`. */
  operands: Arg[];
  inPlace: boolean;
}

interface Grammar {
  /** Options whose value is program text; several may be given and are joined. */
  code: readonly string[];
  /** Options that take a value that is not code. */
  value: readonly string[];
  /** Options that name a program file. */
  file?: readonly string[];
  /** Options that only check the program's syntax: nothing of it runs (`php -l`, `ruby -c`, `node --check`). */
  checkOnly?: readonly string[];
  /** Options that run a module instead of a file (python -m). */
  module?: readonly string[];
  /** Single-letter options may be clustered (`-ne`, `-pi`); a cluster ending in a code letter takes code. */
  clusters?: boolean;
  /** The first operand is the program text (awk, sed) unless code came from an option. */
  programOperand?: boolean;
  /** Options (or cluster letters) that edit files in place. */
  inPlace?: readonly string[];
  /** With no program, operands are files and stdin is data, not code (sed/awk read data). */
  stdinIsData?: boolean;
  /** Options may follow operands, as GNU's getopt takes them (`sed 'CMD' -i FILE`); only `--` ends them. */
  permutes?: boolean;
  /** A line editor: operands are the files it edits, its commands come on stdin (ed). */
  editor?: boolean;
}

const GRAMMARS: Record<Language, Grammar> = {
  python: { code: ['-c'], value: ['-W', '-X', '-Q'], module: ['-m'], clusters: true },
  node: {
    code: ['-e', '--eval', '-p', '--print'],
    checkOnly: ['-c', '--check'],
    value: [
      '-r',
      '--require',
      '--import',
      '--loader',
      '--experimental-loader',
      '-C',
      '--conditions',
      '--env-file',
      '--input-type',
      '--inspect-port',
      '--title',
      // bun's: `bun run --filter '*' test` runs the workspaces' `test` scripts
      '--filter',
      '-F',
      '--cwd',
      '--preload',
    ],
  },
  // -x, -0, -l, -C and -d take their value attached only (`-l`, `-0777`): the next word is the program
  perl: { code: ['-e', '-E'], value: ['-M', '-m', '-I', '-D'], clusters: true, inPlace: ['-i'] },
  ruby: { code: ['-e'], value: ['-r', '-I', '-C', '-E', '-F'], clusters: true, inPlace: ['-i'], checkOnly: ['-c'] },
  php: { code: ['-r'], value: ['-c', '-d', '-z'], file: ['-f'], checkOnly: ['-l', '--syntax-check'] },
  lua: { code: ['-e'], value: ['-l'] },
  awk: {
    code: [],
    value: ['-F', '-v', '--field-separator', '--assign', '-l', '--load'],
    file: ['-f', '--file', '-E', '--exec'],
    programOperand: true,
    stdinIsData: true,
    inPlace: ['-i'],
  },
  sed: {
    code: ['-e', '--expression'],
    value: ['-l', '--line-length'],
    file: ['-f', '--file'],
    programOperand: true,
    stdinIsData: true,
    inPlace: ['-i', '--in-place'],
    clusters: true,
    permutes: true,
  },
  ed: { code: [], value: ['-p', '--prompt'], editor: true },
  other: { code: ['-e', '-c', '-Command', '-EncodedCommand'], value: [] },
};

function joinCode(parts: Arg[]): Arg {
  // one part stays the same object: it keeps what harness knows about where it came from
  return parts.length === 1 ? parts[0]! : joinedArgs(parts, '\n');
}

/** Where a language runtime takes its program from, and which files it is handed. */
export function interpreterInvocation(language: Language, name: string, args: Arg[]): Invocation {
  const g = GRAMMARS[language];
  const code: Arg[] = [];
  const operands: Arg[] = [];
  let inPlace = false;
  let programFile: Arg | undefined;
  let module = false;
  let stdinDash = false;
  let checking = false;
  let optionsDone = false;
  let start = 0;
  // deno eval CODE / deno run FILE; bun run FILE
  if ((name === 'deno' || name === 'bun') && args[0]) {
    if (args[0].value === 'eval' && args[1]) return { source: { mode: 'inline', code: args[1] }, operands: [], inPlace: false };
    if (args[0].value === 'run' || args[0].value === 'x') start = 1;
  }
  for (let i = start; i < args.length; i++) {
    const arg = args[i]!;
    const word = arg.value;
    if (optionsDone || arg.dynamic || !word.startsWith('-') || word === '-') {
      if (word === '-' && !optionsDone) {
        stdinDash = true;
        optionsDone = !g.permutes;
        continue;
      }
      optionsDone = !g.permutes;
      if (module || programFile || g.editor) {
        operands.push(arg);
        continue;
      }
      if (code.length === 0 && g.programOperand) {
        code.push(arg);
        continue;
      }
      if (code.length === 0 && !g.programOperand) {
        programFile = arg;
        continue;
      }
      operands.push(arg);
      continue;
    }
    if (word === '--') {
      optionsDone = true;
      continue;
    }
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const opt = eq > 0 ? word.slice(0, eq) : word;
    const inline = eq > 0 ? { ...arg, value: word.slice(eq + 1), pattern: word.slice(eq + 1) } : undefined;
    if (g.checkOnly?.includes(opt)) {
      checking = true;
      continue;
    }
    if (g.inPlace?.includes(opt) || (g.inPlace && opt.startsWith('--in-place'))) {
      inPlace = true;
      continue;
    }
    if (g.code.includes(opt)) {
      const value = inline ?? args[++i];
      if (value) code.push(value);
      continue;
    }
    if (g.module?.includes(opt)) {
      module = true;
      i++;
      continue;
    }
    if (g.file?.includes(opt)) {
      programFile = inline ?? args[++i];
      continue;
    }
    if (g.value.includes(opt)) {
      if (!inline) i++;
      continue;
    }
    if (g.clusters && /^-[A-Za-z0-9]/.test(word) && !word.startsWith('--')) {
      // e.g. perl -lne CODE, perl -pi.bak -e, python -Ic CODE, sed -ni, python -cCODE
      const letters = word.slice(1);
      if (g.inPlace && letters.includes('i')) inPlace = true;
      for (let k = 0; k < letters.length; k++) {
        const flag = `-${letters[k]}`;
        if (g.code.includes(flag)) {
          const glued = letters.slice(k + 1);
          const value = glued ? { ...arg, value: glued, pattern: glued } : args[++i];
          if (value) code.push(value);
          break;
        }
        if (g.module?.includes(flag)) {
          module = true;
          if (!letters.slice(k + 1)) i++;
          break;
        }
        if (g.value.includes(flag) || (flag === '-i' && g.inPlace)) break;
      }
      continue;
    }
  }
  let source: CodeSource;
  if (code.length > 0) source = { mode: 'inline', code: joinCode(code) };
  else if (module) source = { mode: 'none' };
  else if (programFile) source = { mode: 'file', file: programFile };
  else if (g.stdinIsData) source = { mode: 'none' };
  else source = { mode: 'stdin' };
  if (stdinDash && code.length === 0 && !programFile) source = { mode: 'stdin' };
  // a syntax check reads its file and runs none of it
  if (checking && code.length === 0) return { source: { mode: 'none' }, operands: programFile ? [programFile, ...operands] : operands, inPlace: false };
  return { source, operands, inPlace: inPlace || (g.editor ?? false) };
}
