import type { FileOp } from '../types.js';
import { programOf } from '../programs/registry.js';
import type { Language } from '../programs/types.js';

/**
 * A deliberately shallow reading of one-line programs in other languages (python -c, node -e,
 * perl -e, awk, sed …): it finds the calls that run commands or touch files and recovers their
 * literal arguments. Whatever it cannot recover is reported as unknown so the caller can ask.
 */
export type { Language };

export interface CodeFindings {
  /** Shell command lines the code runs, recovered from string literals. */
  shell: string[];
  /** `guessed`: a path literal the code mentions, not a call harness recognized: a possible read. */
  effects: { op: FileOp; path: string; recursive: boolean; guessed?: boolean }[];
  /** The code runs commands whose text is not a literal. */
  unknownExec: boolean;
  /** The code writes or deletes files whose names are not literals. */
  unknownMutation: boolean;
  /** The code sends the environment or a file's content to the network. */
  uploads?: boolean;
  /** The code evaluates what it fetched from a URL. */
  fromNetwork?: boolean;
  /** The code prints or dumps the whole environment (`console.log(process.env)`, `print(os.environ)`). */
  dumpsEnv?: boolean;
  /** The code starts processes in a loop without end (`fork while 1`, `[os.fork() for _ in iter(int, 1)]`). */
  forksEndlessly?: boolean;
}

const STRING = String.raw`(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|\x60((?:[^\x60\\]|\\.)*)\x60)`;

interface Api {
  pattern: RegExp;
  /** exec: runs a shell command; exec-list: runs an argv; code: evaluates code of the same language. */
  kind: 'exec' | 'exec-list' | 'code' | FileOp;
  recursive?: boolean;
}

function api(source: string, kind: Api['kind'], recursive = false): Api {
  return { pattern: new RegExp(source, 'g'), kind, recursive };
}

const CALL = String.raw`\s*\(\s*`;

const APIS: Record<Language, Api[]> = {
  python: [
    api(String.raw`(?:\bos|\))\.(?:system|popen)` + CALL, 'exec'),
    api(String.raw`(?<![\w.])(?:exec|eval|compile)` + CALL, 'code'),
    api(String.raw`\b(?:subprocess\.)?(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)` + CALL + String.raw`(?=\[)`, 'exec-list'),
    api(String.raw`(?:\bsubprocess|\))\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)` + CALL, 'exec'),
    api(String.raw`\bos\.(?:exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?)` + CALL, 'exec'),
    api(String.raw`\bpty\.spawn` + CALL, 'exec'),
    api(String.raw`(?:\bshutil|\))\.rmtree` + CALL, 'delete', true),
    api(String.raw`(?:\bos|\))\.(?:remove|unlink|rmdir|removedirs)` + CALL, 'delete'),
    api(String.raw`\b(?:Path|pathlib\.Path)` + CALL + STRING + String.raw`\s*\)\s*\.(?:unlink|rmdir)`, 'delete'),
    api(String.raw`\b(?:Path|pathlib\.Path)` + CALL + STRING + String.raw`\s*\)\s*\.(?:write_text|write_bytes|touch|mkdir)`, 'write'),
    api(String.raw`\bopen` + CALL + STRING + String.raw`\s*,\s*(?:mode\s*=\s*)?['"][^'"]*[wax+]`, 'write'),
    api(String.raw`\bshutil\.(?:copy2?|copyfile|copytree|move)` + CALL + STRING + String.raw`\s*,\s*`, 'read'),
    api(String.raw`\bos\.(?:rename|replace)` + CALL, 'delete'),
    api(String.raw`\b(?:open|io\.open)` + CALL, 'read'),
    api(String.raw`\b(?:Path|pathlib\.Path)` + CALL + STRING + String.raw`\s*\)\s*\.(?:read_text|read_bytes|open)`, 'read'),
  ],
  node: [
    api(String.raw`\b(?:execSync|exec|execFileSync|execFile|spawnSync|spawn|fork)` + CALL + String.raw`(?=` + STRING + String.raw`\s*,\s*\[)`, 'exec-list'),
    api(String.raw`\b(?:execSync|exec|execFileSync|execFile|spawnSync|spawn|fork)` + CALL, 'exec'),
    api(String.raw`\b(?:Bun\.spawnSync|Bun\.spawn|Deno\.run)` + CALL + String.raw`(?=\[)`, 'exec-list'),
    api(String.raw`\bnew\s+Deno\.Command` + CALL, 'exec'),
    // Bun's shell and zx: $`rm -rf ${dir}` runs the template as a command line
    api(String.raw`(?:\bBun\.|(?<![\w$.]))\$(?=\x60)`, 'exec'),
    api(String.raw`(?<![\w.])(?:eval|Function)` + CALL, 'code'),
    api(String.raw`\bvm\.runIn\w+` + CALL, 'code'),
    api(String.raw`\bDeno\.(?:removeSync|remove)` + CALL + String.raw`(?=[^)]*recursive\s*:\s*true)`, 'delete', true),
    api(String.raw`\bDeno\.(?:removeSync|remove)` + CALL, 'delete'),
    api(String.raw`\bDeno\.(?:writeTextFileSync|writeTextFile|writeFileSync|writeFile)` + CALL, 'write'),
    api(String.raw`\bDeno\.(?:readTextFileSync|readTextFile|readFileSync|readFile)` + CALL, 'read'),
    api(String.raw`\b(?:rmSync|rm|rmdirSync|rmdir)` + CALL + String.raw`(?=[^)]*recursive\s*:\s*true)`, 'delete', true),
    api(String.raw`\b(?:rmSync|rm|rmdirSync|rmdir|unlinkSync|unlink)` + CALL, 'delete'),
    api(
      String.raw`\b(?:writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|truncateSync|truncate|mkdirSync|mkdir|chmodSync|chmod)` + CALL,
      'write',
    ),
    api(String.raw`\b(?:copyFileSync|copyFile|cpSync|cp|renameSync|rename)` + CALL, 'read'),
    api(String.raw`\b(?:readFileSync|readFile|createReadStream|readdirSync|readdir)` + CALL, 'read'),
  ],
  perl: [
    api(String.raw`\b(?:system|exec)\s*\(?\s*(?=` + STRING + ')', 'exec'),
    api(String.raw`\b(?:system|exec)\b`, 'exec'),
    api(String.raw`\bqx\s*[({\[/]`, 'exec'),
    api(String.raw`\breadpipe\s*\(?\s*`, 'exec'),
    // pipe opens: `open(F, "-|", "cmd")`, `open(F, "|cmd")`, `open(F, "cmd |")` run cmd
    api(String.raw`\bopen\s*\(?\s*[^,]+,\s*['"](?:-\||\|-)['"]\s*,\s*`, 'exec'),
    api(String.raw`\bopen\s*\(?\s*[^,]+,\s*['"]\s*\|\s*((?:[^'"\\]|\\.)*)['"]`, 'exec'),
    api(String.raw`\bopen\s*\(?\s*[^,]+,\s*['"]((?:[^'"\\|]|\\.)*)\|\s*['"]`, 'exec'),
    api(String.raw`\b(?:rmtree|remove_tree)` + CALL, 'delete', true),
    api(String.raw`\bunlink\s*\(?\s*`, 'delete'),
    api(String.raw`\bopen\s*\(?\s*[^,]+,\s*['"](?:>|>>|\+<)['"]\s*,\s*`, 'write'),
    api(String.raw`\bopen\s*\(?\s*[^,]+,\s*(?=['"]\s*(?:>|>>))`, 'write'),
    api(String.raw`\bopen\s*\(?\s*[^,]+,\s*(?:['"]<['"]\s*,\s*)?`, 'read'),
  ],
  ruby: [
    api(String.raw`\b(?:system|exec|spawn|IO\.popen|Open3\.\w+)\s*\(?\s*`, 'exec'),
    api(String.raw`%x\s*[({\[]`, 'exec'),
    // Rake's `sh 'cmd'` (Rakefiles, *.rake)
    api(String.raw`(?<![\w.:])sh\s*\(?\s*(?=['"])`, 'exec'),
    api(String.raw`\bFileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry(?:_secure)?)` + CALL, 'delete', true),
    api(String.raw`\b(?:FileUtils\.(?:rm|rm_f|remove|remove_file)|File\.(?:delete|unlink)|Dir\.(?:delete|rmdir|unlink))\s*\(?\s*`, 'delete'),
    api(String.raw`\bFile\.(?:write|open)\s*\(?\s*(?=` + STRING + String.raw`\s*,\s*['"][wa])`, 'write'),
    api(String.raw`\bFile\.write\s*\(?\s*`, 'write'),
    api(String.raw`\bIO\.copy_stream\s*\([^,]*,\s*`, 'write'),
    api(String.raw`\bFileUtils\.(?:cp|copy|mv|move|install)\s*\([^,]*,\s*`, 'write'),
    api(String.raw`\bFile\.(?:read|open|readlines|foreach)\s*\(?\s*`, 'read'),
  ],
  php: [
    api(String.raw`\b(?:system|exec|shell_exec|passthru|popen|proc_open)` + CALL, 'exec'),
    api(String.raw`\b(?:unlink|rmdir)` + CALL, 'delete'),
    api(String.raw`\b(?:file_put_contents|fopen|mkdir|touch|chmod)` + CALL, 'write'),
    api(String.raw`\b(?:file_get_contents|readfile|file)` + CALL, 'read'),
  ],
  lua: [
    api(String.raw`\bos\.execute` + CALL, 'exec'),
    api(String.raw`\bio\.popen` + CALL, 'exec'),
    api(String.raw`\bos\.remove` + CALL, 'delete'),
    api(String.raw`\bio\.open` + CALL + STRING + String.raw`\s*,\s*['"][wa]`, 'write'),
    api(String.raw`\bio\.open` + CALL, 'read'),
  ],
  awk: [
    api(String.raw`\bsystem\s*\(\s*`, 'exec'),
    api(String.raw`\|&?\s*(?=` + STRING + ')', 'exec'),
    api(String.raw`(?=` + STRING + String.raw`\s*\|&?\s*getline)`, 'exec'),
    api(String.raw`(?:print|printf)[^>|;}]*>>?\s*(?=` + STRING + ')', 'write'),
    api(String.raw`\bgetline(?:\s+\w+)?\s*<\s*(?=` + STRING + ')', 'read'),
  ],
  sed: [],
  ed: [],
  other: [],
};

/** Backtick command execution exists in perl, ruby and php. */
const BACKTICK_LANGS = new Set<Language>(['perl', 'ruby', 'php']);

const LEADING_STRING = new RegExp('^' + STRING, 's');

function unescape(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/**
 * What continues a string into a longer expression: concatenation (`+`, `.`, `..`), formatting
 * (`%`, `.format(…)`), another literal written next to it (Python and awk join them); in awk any
 * operand next to it (`"rm -rf " ENVIRON["HOME"]`).
 */
const CONTINUED = /^\s*(?:[+%.'"\x60]|\*(?!\*))/;
const AWK_CONTINUED = /^\s*[\w$(]/;

/**
 * The string literal at `index` (after whitespace), or null; also null when the literal is only
 * the start of a longer expression (`"rm -rf " + path`): its value is then not the literal's.
 */
function literalAt(code: string, index: number, language?: Language): string | null {
  const rest = code.slice(index, index + 4096).replace(/^\s+/, '');
  const m = LEADING_STRING.exec(rest);
  if (!m) return null;
  const after = rest.slice(m[0].length);
  if (CONTINUED.test(after) || (language === 'awk' && AWK_CONTINUED.test(after))) return null;
  return unescape(m[1] ?? m[2] ?? m[3] ?? '');
}

/** `['rm', '-rf', x]` → ['rm', '-rf', null]: the elements, null where one is not a literal; null when there is no list. */
function literalList(code: string, index: number): (string | null)[] | null {
  const open = code.indexOf('[', index);
  const close = code.indexOf(']', open);
  if (open === -1 || close === -1 || open - index > 8) return null;
  return code
    .slice(open + 1, close)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => literalAt(item, 0));
}

/** `"rm", "-rf", $x` → ['rm', '-rf', null]: a call's comma-separated arguments, literals or not. */
function commaList(code: string, index: number): (string | null)[] | null {
  const rest = code.slice(index, index + 4096);
  const end = rest.search(/[)\n;]/);
  const body = end === -1 ? rest : rest.slice(0, end);
  const all = body.split(',').map((s) => s.trim());
  // an options object (`{ stdio: 'inherit' }`) or keyword arguments (`shell=True`) end the words of the command
  const options = all.findIndex((item, i) => i > 0 && /^\{|^[A-Za-z_]\w*\s*=(?!=)/.test(item));
  const items = options === -1 ? all : all.slice(0, options);
  if (items.length < 2) return null;
  return items.map((item) => literalAt(item, 0));
}

/** A word quoted for the shell: as it is when plain (a leading `~` kept expandable), in single quotes otherwise. */
export function shellQuote(word: string): string {
  // A leading ~ stands for the home directory (folded from HOME lookups): keep it expandable.
  if (/^~(\/[A-Za-z0-9_./-]*)?$/.test(word)) return word;
  return /^[A-Za-z0-9_./=:@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const MAX_CODE = 64 * 1024;

/** Expressions that mean the home directory, in the languages above. */
const HOME_EXPRESSIONS = new RegExp(
  [
    String.raw`process\.env\.HOME`,
    String.raw`process\.env\[\s*['"]HOME['"]\s*\]`,
    String.raw`(?:require\(\s*['"](?:node:)?os['"]\s*\)|\bos)\.homedir\(\s*\)`,
    String.raw`\bos\.environ(?:\.get\(\s*['"]HOME['"][^)]*\)|\[\s*['"]HOME['"]\s*\])`,
    String.raw`\bos\.getenv\(\s*['"]HOME['"]\s*\)`,
    String.raw`\bos\.path\.expanduser\(\s*['"]~['"]\s*\)`,
    String.raw`\b(?:pathlib\.)?Path\.home\(\s*\)`,
    String.raw`\$ENV\{\s*['"]?HOME['"]?\s*\}`,
    String.raw`\bENV\[\s*['"]HOME['"]\s*\]`,
    String.raw`\bDir\.home\b`,
    String.raw`\bDeno\.env\.get\(\s*['"]HOME['"]\s*\)`,
    String.raw`\bgetenv\(\s*['"]HOME['"]\s*\)`,
    String.raw`(?<![\w.])homedir\(\s*\)`,
    String.raw`\bSystem\.getProperty\(\s*['"]user\.home['"]\s*\)`,
    String.raw`\$_SERVER\[\s*['"]HOME['"]\s*\]`,
  ].join('|'),
  'g',
);

/** Lookups of an environment variable by literal name, in the languages above. */
const ENV_LOOKUP = new RegExp(
  [
    String.raw`process\.env\.([A-Za-z_]\w*)`,
    String.raw`process\.env\[\s*['"]([A-Za-z_]\w*)['"]\s*\]`,
    String.raw`\bos\.environ(?:\.get\(\s*['"]([A-Za-z_]\w*)['"][^)]*\)|\[\s*['"]([A-Za-z_]\w*)['"]\s*\])`,
    String.raw`\b(?:os\.)?getenv\(\s*['"]([A-Za-z_]\w*)['"]\s*\)`,
    String.raw`\$ENV\{\s*['"]?([A-Za-z_]\w*)['"]?\s*\}`,
    String.raw`\bENV\[\s*['"]([A-Za-z_]\w*)['"]\s*\]`,
    String.raw`\bDeno\.env\.get\(\s*['"]([A-Za-z_]\w*)['"]\s*\)`,
  ].join('|'),
  'g',
);

/**
 * Folds the simplest computed paths back into literals: home expressions become '~', and
 * literals joined with + . / or path.join become one literal.
 */
/** `p = '.claude/settings.json'` then `open(p, 'w')`: a name bound once to a literal stands for it (at most 16 names). */
function foldAssignments(code: string): string {
  const bound = new Map<string, string>();
  for (const m of code.matchAll(
    /(?:^|[;\n{]\s*)(?:const\s+|let\s+|var\s+|my\s+|local\s+)?(\$?[A-Za-z_]\w*)\s*=(?!=)\s*('[^'\\\n]*'|"[^"\\\n$]*")\s*(?=[;\n]|$)/g,
  )) {
    const name = m[1]!;
    if (bound.has(name)) bound.set(name, '');
    else if (bound.size < 16) bound.set(name, m[2]!);
  }
  let out = code;
  for (const [name, literal] of bound) {
    if (literal === '') continue;
    const escaped = name.replace(/\$/g, '\\$');
    out = out.replace(new RegExp(`(?<![\\w.$'"])${escaped}(?![\\w'"]|\\s*=(?!=))`, 'g'), literal);
  }
  return out;
}

/** Ruby's `"… #{expr} …"`: a folded literal (`#{'~'}`) is its text, any other expression a value harness does not know. */
function interpolated(code: string): string {
  return code.replace(/#\{([^{}]*)\}/g, (_, inner: string) => /^\s*'([^'\\]*)'\s*$/.exec(inner)?.[1] ?? '$UNKNOWN');
}

function foldLiterals(code: string, env: ReadonlyMap<string, string>): string {
  // twice: a name bound to a computed path (`p = os.path.expanduser('~/.x')`) is bound to its literal once that is folded
  return foldExpressions(foldAssignments(foldExpressions(code, env)), env);
}

function foldExpressions(code: string, env: ReadonlyMap<string, string>): string {
  // perl's `"$ENV{HOME}/.ssh"`: the home directory inside the string it is interpolated into
  let out = code.replace(/(?<=^|[\s(,=.])"([^"\\]*)\$ENV\{\s*['"]?HOME['"]?\s*\}/g, '"$1~').replace(HOME_EXPRESSIONS, "'~'");
  // a variable of the environment the command line set (`export F=~/.ssh/id_rsa; php -r 'readfile(getenv("F"));'`)
  if (env.size > 0) {
    out = out.replace(ENV_LOOKUP, (m, ...groups: (string | undefined)[]) => {
      const name = groups.slice(0, 8).find((g) => g !== undefined);
      const value = name !== undefined ? env.get(name) : undefined;
      return value !== undefined && !/['"\\]/.test(value) ? `'${value}'` : m;
    });
  }
  // expanduser('~/x'), File.expand_path("~/x"), path.resolve('x'): the literal itself
  out = out.replace(
    /\b(?:os\.path\.expanduser|os\.path\.abspath|os\.path\.realpath|File\.expand_path|path\.resolve|Path)\(\s*('[^'\\]*'|"[^"\\]*")\s*\)/g,
    '$1',
  );
  out = out.replace(
    /\b(?:(?:os\.)?path\.join|File\.join|joinpath|Path\.Combine|filepath\.Join|Paths\.get|path\.resolve)\(\s*((?:'[^'\\]*'|"[^"\\]*")(?:\s*,\s*(?:'[^'\\]*'|"[^"\\]*"))*)\s*\)/g,
    (_, list: string) => {
      const parts = list.split(/\s*,\s*/).map((p) => p.slice(1, -1));
      return `'${parts.join('/').replace(/\/+/g, '/')}'`;
    },
  );
  for (let i = 0; i < 8; i++) {
    const next = out.replace(
      /(['"])([^'"\\]*)\1\s*(?:\+|\.|\/)\s*(['"])([^'"\\]*)\3/g,
      (_, _q1: string, a: string, _q2: string, b: string) =>
        `'${a}${b.startsWith('/') || a.endsWith('/') || a === '~' ? (a === '~' && !b.startsWith('/') ? '/' : '') : ''}${b}'`,
    );
    if (next === out) break;
    out = next;
  }
  // a module or an attribute named by a literal is that module or attribute: `__import__('os')`,
  // `importlib.import_module('os')`, `getattr(os, 'system')`, `require('child_process')['execSync']`
  out = out.replace(/\b(?:__import__|importlib\.import_module)\(\s*['"]([A-Za-z_][\w.]*)['"]\s*\)/g, '$1');
  out = out.replace(/\bgetattr\(\s*([A-Za-z_][\w.]*)\s*,\s*['"]([A-Za-z_]\w*)['"]\s*\)/g, '$1.$2');
  out = out.replace(/([\w)\]])\[\s*(['"])([A-Za-z_$][\w$]*)\2\s*\]/g, '$1.$3');
  return out;
}

export function analyzeCode(language: Language, source: string, depth = 0, env: ReadonlyMap<string, string> = new Map()): CodeFindings {
  const findings: CodeFindings = { shell: [], effects: [], unknownExec: false, unknownMutation: false };
  if (source.length > MAX_CODE || depth > 2) {
    findings.unknownExec = true;
    findings.unknownMutation = true;
    return findings;
  }
  if (language === 'sed') return analyzeSed(source);
  if (language === 'ed') return analyzeEd(source);
  const folded = foldLiterals(source, env);
  const code = language === 'ruby' ? interpolated(folded) : language === 'node' ? folded.replace(/\$\{\s*'([^'\\$`]*)'\s*\}/g, '$1') : folded;
  const claimed = new Set<number>();
  for (const { pattern, kind, recursive } of APIS[language]) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(code); m; m = pattern.exec(code)) {
      if (m[0].length === 0) pattern.lastIndex++;
      if (claimed.has(m.index)) continue;
      claimed.add(m.index);
      const after = m.index + m[0].length;
      if (kind === 'exec-list') {
        // node's `spawnSync('rm', ['-rf', x])` names the program before its list; Python's `run(['rm', …])` in it
        const program = /^\s*["'`]/.test(code.slice(after, after + 8)) ? literalAt(code, after, language) : null;
        const list = literalList(code, after);
        const words = list && (program === null ? list : [program, ...list]);
        if (words && words.length > 0 && words[0] !== null) findings.shell.push(words.map((w) => (w === null ? '"$UNKNOWN"' : shellQuote(w))).join(' '));
        else {
          const single = literalAt(code, after, language);
          if (single !== null) findings.shell.push(single);
          else findings.unknownExec = true;
        }
        continue;
      }
      // Path-taking APIs whose pattern already consumed the literal use the first capture.
      const captured = m[1] ?? m[2] ?? m[3];
      const literal = captured !== undefined ? unescape(captured) : literalAt(code, after, language);
      if (kind === 'code') {
        if (literal === null) findings.unknownExec = true;
        else {
          const inner = analyzeCode(language, literal, depth + 1, env);
          findings.shell.push(...inner.shell);
          findings.effects.push(...inner.effects);
          findings.unknownExec ||= inner.unknownExec;
          findings.unknownMutation ||= inner.unknownMutation;
        }
      } else if (kind === 'exec') {
        const list = literal !== null ? commaList(code, after) : null;
        if (list && list.length > 1 && list[0] !== null) findings.shell.push(list.map((w) => (w === null ? '"$UNKNOWN"' : shellQuote(w))).join(' '));
        else if (literal !== null) findings.shell.push(literal);
        else findings.unknownExec = true;
      } else if (literal !== null) {
        findings.effects.push({ op: kind, path: literal, recursive: recursive ?? false });
      } else if (kind !== 'read') {
        findings.unknownMutation = true;
      }
    }
  }
  if (BACKTICK_LANGS.has(language)) {
    for (const m of code.matchAll(/`([^`]*)`/g)) findings.shell.push(m[1] ?? '');
  }
  // sending local data out: a send call and the environment or a file read in the same code
  if (SENDS.test(source) && LOCAL_DATA.test(source)) findings.uploads = true;
  if (dumpsEnvironment(language, source)) findings.dumpsEnv = true;
  if (FORKS.test(source) && ENDLESS.test(source)) findings.forksEndlessly = true;
  // the system keyring read through a library is judged as its command line tool would be
  if (KEYRING_READS.test(source) || LIBRARY_READS.some((both) => both.every((re) => re.test(source)))) findings.shell.push('secret-tool lookup keyring');
  // evaluating what a URL returns (`eval(file_get_contents("http://…"))`, `exec(urlopen(u).read())`,
  // perl's `eval get("http://…")`, `fetch("https://…").then(r => r.text()).then(eval)`)
  if (
    // (not a method of another object, `json.load(r)`, nor a module required by its name; the code
    // loaders of pickle and marshal are evaluators)
    /(?<![\w.])(?:eval|exec|Function|include|load|loadstring|instance_eval|compile)\s*\(|(?<![\w.])require\s*\(\s*(?!['"\x60])|\b(?:pickle|marshal|dill|cloudpickle)\.loads?\s*\(|\beval\s+[\w$]|\(\s*eval\s*\)/.test(
      source,
    ) &&
    /['"](?:https?|ftp):\/\//.test(source)
  )
    findings.fromNetwork = true;
  // a call of a command runner through another name (`f = os.system`, `{ execSync: x } = require('child_process')`)
  if (
    language === 'python' &&
    /\bos\.(?:system|popen|exec\w*|spawn\w*)\b(?!\s*\()|\bsubprocess\.\w+\b(?!\s*\()|\bfrom\s+(?:os|subprocess)\s+import\b/.test(code)
  )
    findings.unknownExec = true;
  if (
    language === 'node' &&
    /\{[^}]*\b(?:exec|execSync|spawn|spawnSync|execFile|execFileSync|fork)\s*:|=\s*(?:require\(\s*['"](?:node:)?child_process['"]\s*\)|cp)\.(?:exec|execSync|spawn|spawnSync)\b(?!\s*\()/.test(
      code,
    )
  )
    findings.unknownExec = true;
  // loading a native library runs code harness cannot see, in any language
  if (/\b(?:dlopen|LoadLibrary|cdll|ctypes\.CDLL|Fiddle|ffi\.load|System\.loadLibrary|DynaLoader)\b/.test(source)) findings.unknownExec = true;
  // gawk's network special files: the program talks to the network itself
  if (language === 'awk' && /["']\/inet[46]?\/(?:tcp|udp)\//.test(source)) findings.unknownExec = true;
  if (language === 'other') {
    // languages harness has no call table for: running or changing anything is unseen
    if (OTHER_EXEC.test(code)) findings.unknownExec = true;
    if (OTHER_MUTATION.test(code)) findings.unknownMutation = true;
  }
  // Any path the code names may be read by it (`File.read("~/.ssh/id_rsa")`, `read("/etc/shadow")`).
  for (const m of code.matchAll(new RegExp(STRING, 'g'))) {
    const literal = unescape(m[1] ?? m[2] ?? m[3] ?? '');
    if (literal.length > 1 && literal.length < 4096 && PATH_LITERAL.test(literal) && !findings.effects.some((e) => e.path === literal)) {
      findings.effects.push({ op: 'read', path: literal, recursive: false, guessed: true });
    }
  }
  return findings;
}

/**
 * The whole environment as one value, per language: `os.environ` (not `os.environ["X"]` or `.get`),
 * `process.env` (not `process.env.X`), `ENV` (not `ENV["X"]`), `%ENV`, `getenv()`, awk's `ENVIRON`.
 */
const WHOLE_ENV: Partial<Record<Language, RegExp>> = {
  python: /\bos\.environ\b(?!\s*(?:\[|\.(?:get|setdefault|pop|__getitem__)\b))|\bos\.environb\b(?!\s*[[.])/,
  node: /\bprocess\.env\b(?!\s*(?:\??\.\s*[A-Za-z_$]|\[))|\bDeno\.env\.toObject\s*\(/,
  ruby: /(?<![\w$:.])ENV\b(?!\s*(?:\[|\.(?:fetch|key\?|has_key\?|include\?|delete|store)\b))/,
  perl: /%ENV\b/,
  php: /\bgetenv\s*\(\s*\)|\$_ENV\b(?!\s*\[)|\$_SERVER\b(?!\s*\[)/,
  awk: /\bENVIRON\b(?!\s*\[)/,
  other: /\b(?:Sys\.getenv\s*\(\s*\)|System\.getenv\s*\(\s*\)|ENV\b(?!\s*\[)|os\.Environ\s*\(|env::vars\s*\(|[Gg]et-[Cc]hild[Ii]tem\s+[Ee]nv:|\$env:\*)/,
};
/** Calls that print or serialize a value, in the languages above. */
const PRINTS =
  /\b(?:print|printf|println|pprint|pp|p|puts|say|echo|print_r|var_dump|var_export|console\.(?:log|dir|table|info|error|warn|debug)|process\.stdout\.write|sys\.stdout\.write|json\.dumps?|JSON\.stringify|to_json|json_encode|util\.inspect|Dumper|inspect|write|cat|str|repr|Write-Output|Write-Host)\b/;
/** Just before the environment: a loop over it (`for k in`, `keys %ENV`, `Object.entries(`, `foreach (`). */
const LOOP_BEFORE = /(?:\bin\s+(?:sorted\s*\(\s*)?|\b(?:keys|each|values)\s*|\b(?:entries|keys|values)\s*\(\s*|\bforeach\s*\(\s*)$/;
/** Just after it: its entries walked (`.items()`, `.each`, `.forEach`, `as $k => $v`). */
const LOOP_AFTER = /^\s*(?:\.(?:items|keys|values|each|each_pair|map|to_h|to_a|forEach|entries)\b|as\b)/;

/** Whether code prints the whole environment: the environment in a print call's statement, or walked with a print. */
/** Library calls that return a password from the system keyring (Python's keyring and secretstorage, node's keytar: the library named and its read called). */
const KEYRING_READS = /\bkeyring\.get_(?:password|credential)\s*\(/;
const LIBRARY_READS = [
  [/\bkeytar\b/, /\b(?:getPassword|findCredentials|findPassword)\s*\(/],
  [/\bsecretstorage\b/, /\.get_secret\s*\(/],
];

/** A call that starts a process (the languages above). */
const FORKS = /\b(?:os\.fork|fork|spawn|Popen|Process\.spawn|pcntl_fork|child_process\.\w+)\s*\(|\bfork\b(?!\s*\()/;
/** A loop that never ends by itself: `while 1`, `while True`, `for(;;)`, `loop do`, `iter(int, 1)`, `itertools.count()`. */
const ENDLESS =
  /\bwhile\s*(?:\(\s*)?(?:1|true|True)\b|\bfor\s*\(\s*;\s*;\s*\)|\bloop\s+do\b|\biter\s*\(\s*int\s*,\s*1\s*\)|\bitertools\.count\s*\(|\bcount\s*\(\s*\)\s*:/;

export function dumpsEnvironment(language: Language, source: string): boolean {
  const whole = WHOLE_ENV[language];
  if (!whole || !whole.test(source)) return false;
  for (const statement of source.split(/[;\n]/)) {
    const m = whole.exec(statement);
    if (!m) continue;
    const before = statement.slice(0, m.index);
    const after = statement.slice(m.index + m[0].length);
    // `print(os.environ)`, `console.log(JSON.stringify(process.env))`, `print_r(getenv())`
    if (PRINTS.test(before)) return true;
    // `for k, v in os.environ.items(): print(k, v)`, `print "$_\n" for keys %ENV`, `ENV.each { |k, v| puts k }`
    if ((LOOP_BEFORE.test(before) || LOOP_AFTER.test(after)) && PRINTS.test(source)) return true;
  }
  return false;
}

/** Calls that send data over the network, in the languages above. */
const SENDS =
  /\b(?:requests\.(?:post|put|patch)|urlopen\s*\([^)]*,|Request\s*\([^)]*data\s*=|http\.client|HTTPConnection|\.sendall?\s*\(|\.sendto\s*\(|fetch\s*\([^)]*method\s*:\s*['"](?:POST|PUT|PATCH)|axios\.(?:post|put|patch)|XMLHttpRequest|Net::HTTP\.post|HTTParty\.post|curl_exec|fsockopen|stream_socket_client|WebSocket|smtplib|ftplib|paramiko|http\.(?:Post|PostForm|NewRequest)\b|reqwest::|\bHttpClient\b|HttpURLConnection)/;
/** The environment or a file's content, read by the code. */
const LOCAL_DATA =
  /\b(?:os\.environ|process\.env|ENV\b|getenv|\$_ENV|\$_SERVER|open\s*\(|readFileSync|readFile|File\.read|file_get_contents|read_text|read_bytes|glob\.glob|os\.walk|os\.Environ|os\.Getenv|os\.ReadFile|ioutil\.ReadFile|std::env::vars|std::fs::read|System\.getenv|Files\.read)/;

/** A literal that names a file: absolute, home-relative, or a dot-directory path (`.aws/credentials`). */
const PATH_LITERAL = /^(?:~(?:\/|$)|\/[^\s/]|\.{1,2}\/|\.[A-Za-z0-9_-]+\/)[^\n\0]*$/;
const OTHER_EXEC =
  /\b(?:system2?|exec[lv]?p?|spawn|popen|shell|run|pipeline|Process|ProcessBuilder|Command|execute|execute_process|exec_program|commandLine|Start-Process|Invoke-Expression|iex|os\.execute|Runtime|do shell script|open\s*\(\s*`|`)\b|`/;
const OTHER_MUTATION =
  /\b(?:unlink|file\.remove|remove|remove_recurse|rm|rmdir|delete|write(?:Lines|_file|File)?|cat\s*\(.*file\s*=|Remove-Item|Set-Content|Out-File|Add-Content|sink|file\.rename|mv|cp)\b/i;

/** ed commands: `!cmd` runs a shell command, `e`/`r FILE` read a file, `w`/`W FILE` write one. */
function analyzeEd(script: string): CodeFindings {
  const findings: CodeFindings = { shell: [], effects: [], unknownExec: false, unknownMutation: false };
  for (const raw of script.split('\n')) {
    const line = raw.trim().replace(/^(?:\d+|\$|\.|,|;|%)?(?:,(?:\d+|\$|\.))?/, '');
    const bang = /^(?:[erw]\s*)?!(.*)$/.exec(line);
    if (bang) {
      findings.shell.push(bang[1]!);
      continue;
    }
    const file = /^([eErwW]|wq)\s+(\S.*)$/.exec(line);
    if (file) findings.effects.push({ op: /^[wW]/.test(file[1]!) ? 'write' : 'read', path: file[2]!, recursive: false });
  }
  return findings;
}

/**
 * GNU sed can run commands (`e`, `s///e`) and write files (`w FILE`, `s///w FILE`).
 * Scripts are split on newlines and semicolons, which is enough to see those commands.
 */
function analyzeSed(script: string): CodeFindings {
  const findings: CodeFindings = { shell: [], effects: [], unknownExec: false, unknownMutation: false };
  for (const raw of script.split(/[\n;]/)) {
    const line = raw.trim().replace(/^(?:\d+|\$|\/(?:[^/\\]|\\.)*\/)(?:,(?:\d+|\$|\/(?:[^/\\]|\\.)*\/))?!?\s*/, '');
    if (/^e(\s|$)/.test(line)) {
      const command = line.slice(1).trim();
      if (command) findings.shell.push(command);
      else findings.unknownExec = true;
    }
    // `w FILE` writes, `r FILE` reads (GNU sed takes the name glued on too: `w/tmp/x`)
    const w = /^[wW]\s*(\S.*)$/.exec(line);
    if (w?.[1]) findings.effects.push({ op: 'write', path: w[1], recursive: false });
    const r = /^[rR]\s*(\S.*)$/.exec(line);
    if (r?.[1]) findings.effects.push({ op: 'read', path: r[1], recursive: false });
    const s = /^s(.)(?:(?!\1)[^\\]|\\.)*\1(?:(?!\1)[^\\]|\\.)*\1([gpiImMe0-9]*)(?:w\s+(\S.*))?$/.exec(line);
    if (s) {
      if (s[2]?.includes('e')) findings.unknownExec = true;
      if (s[3]) findings.effects.push({ op: 'write', path: s[3], recursive: false });
    }
  }
  return findings;
}

const LANGUAGE_OF = new Map<string, Language | null>();

/** The language a runtime runs, as its declaration says (`python3.12` → python), remembered per name. */
export function languageOf(name: string): Language | null {
  let known = LANGUAGE_OF.get(name);
  if (known === undefined) {
    // the declaration's (a versioned name is its program's: python3.12, lua5.4)
    known = programOf(name)?.interpreter ?? null;
    if (LANGUAGE_OF.size < 4096) LANGUAGE_OF.set(name, known);
  }
  return known;
}
