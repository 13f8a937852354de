import type { Arg } from '../types.js';
import type { Language } from '../programs/types.js';
import { textArg } from './words.js';

/**
 * Files whose content a command runs by convention (a Makefile's recipes, package.json scripts,
 * .envrc, a Justfile) and which part of them it runs: `make test` runs the recipes of `test` and
 * what it depends on, `npm test` the `pretest`, `test` and `posttest` scripts. A file written or
 * downloaded earlier in the same command line, or read by the session, is judged by that part.
 */
export type CodeFileKind = 'shell' | 'makefile' | 'package-json' | 'justfile' | 'taskfile' | 'go-generate' | 'hook-entries' | 'other';

export interface CodeFileUse {
  file: Arg;
  kind: CodeFileKind;
  /** The targets or scripts that run; empty: the default (make's first target, npm's lifecycle). */
  targets: string[];
}

const MAKE_VALUE_OPTS = new Set([
  '-f',
  '--file',
  '--makefile',
  '-C',
  '--directory',
  '-I',
  '--include-dir',
  '-j',
  '--jobs',
  '-l',
  '--load-average',
  '-o',
  '--old-file',
  '-W',
  '--what-if',
  '--assume-new',
  '--eval',
  '-E',
]);
const NPM_BUILTINS = new Set([
  'install',
  'i',
  'ci',
  'add',
  'remove',
  'rm',
  'uninstall',
  'update',
  'up',
  'exec',
  'x',
  'dlx',
  'init',
  'create',
  'publish',
  'pack',
  'link',
  'list',
  'ls',
  'outdated',
  'audit',
  'why',
  'info',
  'view',
  'config',
  'set',
  'get',
  'cache',
  'login',
  'logout',
  'whoami',
  'version',
  'help',
  'store',
  'import',
  'rebuild',
  'prune',
  'dedupe',
  'patch',
  'workspace',
  'workspaces',
  'node',
  'env',
  'setup',
  'self-update',
  'upgrade',
  'global',
  'bin',
  'root',
  'prefix',
  'search',
  'owner',
  'team',
  'token',
  'profile',
  'doctor',
  'explain',
  'fund',
  'org',
  'ping',
  'query',
  'sbom',
  'shrinkwrap',
  'star',
  'unstar',
  'stars',
  'pkg',
  'deprecate',
  'dist-tag',
  'edit',
  'explore',
  'hook',
  'install-test',
  'it',
  'install-ci-test',
  'cit',
  'restart',
  'stop',
  'start',
  'test',
  't',
  'tst',
  'run',
  'run-script',
  'rum',
  'urn',
  'unpublish',
  'completion',
  'docs',
  'repo',
  'bugs',
  'diff',
  'prepare',
]);

/** The scripts `npm|pnpm|yarn|bun ARGS` runs, or null when it runs none of package.json's. */
/** npm/pnpm/yarn options that take a value: it is not the subcommand (`npm --loglevel silent run build`). */
const PACKAGE_VALUE_OPTS = new Set([
  '--loglevel',
  '--userconfig',
  '--globalconfig',
  '--cache',
  '--registry',
  '--otp',
  '--tag',
  '--access',
  '--reporter',
  '--network-concurrency',
  '--mutex',
  '--modules-folder',
]);

function packageScripts(name: string, args: Arg[]): string[] | null {
  const words = args.filter((a, i) => !a.value.startsWith('-') && !PACKAGE_VALUE_OPTS.has(args[i - 1]?.value ?? '')).map((a) => a.value);
  const sub = words[0];
  if (sub === undefined) return name === 'yarn' ? ['preinstall', 'install', 'postinstall', 'prepare'] : null;
  if (sub === 'run' || sub === 'run-script' || sub === 'rum' || sub === 'urn') return words[1] !== undefined ? [words[1]] : null;
  if (['test', 't', 'tst', 'start', 'stop', 'restart'].includes(sub)) return [sub === 't' || sub === 'tst' ? 'test' : sub];
  if (['install', 'i', 'ci', 'add', 'install-test', 'it', 'rebuild'].includes(sub)) return ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish'];
  if (sub === 'pack') return ['prepack', 'prepare', 'postpack'];
  if (sub === 'publish') return ['prepublishOnly', 'prepack', 'prepare', 'postpack', 'publish', 'postpublish'];
  if (sub === 'version') return ['preversion', 'version', 'postversion'];
  if (sub === 'exec' || sub === 'x' || sub === 'dlx') return null;
  // pnpm, yarn and bun run a script named like an unknown command (`pnpm build`, `yarn lint`)
  if (name !== 'npm' && !NPM_BUILTINS.has(sub)) return [sub];
  return null;
}

export function conventionalCodeFiles(name: string, args: Arg[]): CodeFileUse[] {
  switch (name) {
    case 'make':
    case 'gmake': {
      let dir = '';
      let file: Arg | undefined;
      const targets: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        const w = a.value;
        if (w === '-f' || w === '--file' || w === '--makefile') file = args[++i];
        else if (/^--(?:file|makefile)=/.test(w)) file = { ...a, value: w.slice(w.indexOf('=') + 1) };
        else if (/^-f./.test(w)) file = { ...a, value: w.slice(2) };
        else if (w === '-C' || w === '--directory') dir += `${args[++i]?.value ?? ''}/`;
        else if (w.startsWith('--directory=')) dir += `${w.slice(12)}/`;
        else if (/^-C./.test(w)) dir += `${w.slice(2)}/`;
        // -j and -l take an optional number: `make -j build` builds `build`
        else if (w === '-j' || w === '--jobs' || w === '-l' || w === '--load-average') {
          if (/^\d+(?:\.\d+)?$/.test(args[i + 1]?.value ?? '')) i++;
        } else if (MAKE_VALUE_OPTS.has(w)) i++;
        else if (!w.startsWith('-') && !w.includes('=')) targets.push(w);
      }
      // the makefile is read after changing into -C's directory
      const files = file
        ? [file.value.startsWith('/') ? file : { ...file, value: dir + file.value }]
        : ['GNUmakefile', 'makefile', 'Makefile'].map((f) => textArg(dir + f));
      return files.map((f) => ({ file: f, kind: 'makefile', targets }));
    }
    case 'npm':
    case 'pnpm':
    case 'yarn':
    case 'bun': {
      // --prefix DIR, -C DIR, --dir DIR, --cwd DIR: the package.json in that directory
      let dir = '';
      const rest: Arg[] = [];
      for (let i = 0; i < args.length; i++) {
        const w = args[i]!.value;
        if (w === '--prefix' || w === '-C' || w === '--dir' || w === '--cwd') dir = `${args[++i]?.value ?? ''}/`;
        else if (/^--(?:prefix|dir|cwd)=/.test(w)) dir = `${w.slice(w.indexOf('=') + 1)}/`;
        else if (w === '-w' || w === '--workspace' || w === '--filter' || w === '-F') {
          // a workspace's own package.json: which one is not known here
          return [
            {
              file: { value: '$WORKSPACE/package.json', dynamic: true, glob: true, pattern: '*/package.json' },
              kind: 'package-json',
              targets: packageScripts(name, args.slice(i + 2)) ?? [],
            },
          ];
        } else rest.push(args[i]!);
      }
      const scripts = packageScripts(name, rest);
      return scripts ? [{ file: textArg(`${dir}package.json`), kind: 'package-json', targets: scripts }] : [];
    }
    case 'direnv': {
      const sub = args.find((a) => !a.value.startsWith('-'))?.value;
      return sub === 'allow' || sub === 'exec' ? [{ file: textArg('.envrc'), kind: 'shell', targets: [] }] : [];
    }
    case 'just': {
      const targets = args
        .filter((a) => !a.value.startsWith('-') && !a.value.includes('='))
        .slice(0, 1)
        .map((a) => a.value);
      return ['justfile', 'Justfile', '.justfile'].map((f) => ({ file: textArg(f), kind: 'justfile', targets }));
    }
    case 'task':
      return ['Taskfile.yml', 'Taskfile.yaml'].map((f) => ({ file: textArg(f), kind: 'taskfile', targets: [] }));
    default:
      return [];
  }
}

interface MakeRule {
  deps: string[];
  recipe: string[];
}

/** The rules of a Makefile (explicit targets only), and the lines that run whatever the target. */
function makeRules(text: string): { rules: Map<string, MakeRule>; order: string[]; always: string[] } {
  const rules = new Map<string, MakeRule>();
  const order: string[] = [];
  const always: string[] = [];
  let current: MakeRule[] = [];
  for (const raw of text.split('\n')) {
    for (const m of raw.matchAll(/\$\(shell\s+([^)]*)\)/g)) always.push(m[1]!);
    if (raw.startsWith('\t')) {
      const line = raw.slice(1).replace(/^[@+-]+/, '');
      for (const r of current) r.recipe.push(line);
      continue;
    }
    const rule = /^([^#=:\t][^=:]*?)\s*::?(?!=)\s*([^;=]*?)\s*(?:;(.*))?$/.exec(raw);
    if (!rule) {
      if (raw.trim() !== '' && !raw.startsWith('#')) current = [];
      continue;
    }
    current = [];
    for (const target of rule[1]!.split(/\s+/).filter(Boolean)) {
      const entry = rules.get(target) ?? { deps: [], recipe: [] };
      entry.deps.push(...rule[2]!.split(/\s+/).filter(Boolean));
      if (rule[3] !== undefined) entry.recipe.push(rule[3]);
      if (!rules.has(target)) {
        rules.set(target, entry);
        order.push(target);
      }
      current.push(entry);
    }
  }
  return { rules, order, always };
}

/** The recipes `make TARGETS` runs: each target's and those of what it depends on (all, when a target is not a plain rule). */
function makeRecipes(text: string, targets: readonly string[]): string[] {
  const { rules, order, always } = makeRules(text);
  const start = targets.length > 0 ? targets : order.filter((t) => !t.startsWith('.') && !t.includes('%')).slice(0, 1);
  const seen = new Set<string>();
  const out = [...always];
  const visit = (target: string): boolean => {
    if (seen.has(target)) return true;
    seen.add(target);
    const rule = rules.get(target);
    if (!rule) return !/[%$]/.test(target);
    out.push(...rule.recipe);
    return rule.deps.every(visit);
  };
  // a target made by a pattern rule or a computed name: every recipe may run
  if (!start.every(visit) || start.length === 0) return [...always, ...[...rules.values()].flatMap((r) => r.recipe)];
  return out;
}

/** The shell command lines in a file's text that run, or null when its format is not understood. */
export function scriptsInCodeFile(kind: CodeFileKind, text: string, targets: readonly string[] = []): string[] | null {
  switch (kind) {
    case 'shell':
      return [text];
    case 'package-json': {
      try {
        const scripts = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts ?? {};
        const names = targets.length === 0 ? Object.keys(scripts) : targets.flatMap((t) => [`pre${t}`, t, `post${t}`]);
        // composer.json lists a script's commands in an array
        return names.flatMap((n) => (Array.isArray(scripts[n]) ? (scripts[n] as unknown[]) : [scripts[n]])).filter((v): v is string => typeof v === 'string');
      } catch {
        return null;
      }
    }
    case 'justfile':
      // recipes are indented under `name args…:`; the rest reads like a Makefile's rules
      return makeRecipes(text.replace(/^[ ]{2,}|^\t/gm, '\t').replace(/^(\S[^:=]*?)\s+[^:=]*:(?!=)/gm, '$1:'), targets).map((s) =>
        s.replace(/\{\{[^}]*\}\}/g, 'JUSTVAR'),
      );
    case 'taskfile': {
      // every command under a `cmds:` list (a task's own or a dependency's): all of them may run
      const out: string[] = [];
      let inCmds = -1;
      for (const line of text.split('\n')) {
        const indent = line.length - line.trimStart().length;
        if (/^\s*cmds:\s*$/.test(line)) inCmds = indent;
        else if (inCmds >= 0 && indent <= inCmds && line.trim() !== '') inCmds = -1;
        else if (inCmds >= 0) {
          const m = /^\s*-\s+(?:cmd:\s*)?(.+)$/.exec(line);
          if (m) out.push(m[1]!.replace(/^(['"])(.*)\1$/, '$2').replace(/\{\{[^}]*\}\}/g, 'TASKVAR'));
        }
      }
      return out;
    }
    case 'go-generate':
      // `//go:generate CMD ARGS` lines: `go generate` runs each CMD
      return [...text.matchAll(/^\/\/go:generate[ \t]+(.+)$/gm)].map((m) =>
        m[1]!.replace(/\$(?:GOFILE|GOPACKAGE|GOARCH|GOOS|GOLINE|GOROOT|DOLLAR)\b/g, 'GOVAR'),
      );
    case 'hook-entries':
      // pre-commit's hooks: each `entry:` is a command it runs
      return [...text.matchAll(/^\s*-?\s*entry:\s*(.+?)\s*$/gm)].map((m) => m[1]!.replace(/^(['"])(.*)\1$/, '$2'));
    case 'makefile':
      // make variables are expanded by make, not by the shell; NUL stands in for `$$` meanwhile
      return makeRecipes(text, targets).map((s) =>
        s
          .replaceAll('$$', '\u0000')
          .replace(/\$[({][A-Za-z0-9_.@<^*?%+ -]+[)}]|\$[@<^*?%+]/g, 'MAKEVAR')
          .replaceAll('\u0000', '$'),
      );
    default:
      return null;
  }
}

/**
 * A file a tool loads from its project and runs: `conftest.py` and test modules for pytest,
 * `build.rs` for cargo, `jest.config.js` for jest, `.npmrc` for npm. `as` says how its content is
 * judged: as code of a language, as a code file of a kind above, or as settings, whose `settings`
 * keys name programs or code to load (`script-shell=`, `runner =`, `yarnPath:`).
 */
export interface LoadedFile {
  /** Matched against the file's absolute path. */
  path: RegExp;
  as: Language | 'package-json' | 'go-generate' | 'hook-entries' | 'settings';
  settings?: RegExp;
}

const JS = String.raw`\.(?:[cm]?[jt]s|[jt]sx)$`;
/** `NAME.config.js`, `.NAMErc.cjs`, … of the given tool names. */
function jsConfigs(...names: string[]): LoadedFile {
  const alt = names.join('|');
  return { path: new RegExp(String.raw`/(?:(?:${alt})\.config(?:\.\w+)?|\.(?:${alt})rc(?:\.config)?|(?:${alt})file)${JS}`, 'i'), as: 'node' };
}
const JS_TESTS: LoadedFile = { path: new RegExp(String.raw`(?:\.(?:test|spec)|/__tests__/[^/]+)${JS}`), as: 'node' };
const PY_TESTS: LoadedFile = { path: /\/(?:conftest|test_[^/]*|[^/]*_test)\.py$/, as: 'python' };
const NPMRC: LoadedFile = {
  path: /\/\.npmrc$/,
  as: 'settings',
  settings: /^\s*(?:script-shell|shell|node-options|git|editor|browser|viewer|onload-script|init-module|node-gyp)\s*=/m,
};
const YARNRC: LoadedFile = { path: /\/\.yarnrc(?:\.yml)?$/, as: 'settings', settings: /^\s*(?:yarnPath|yarn-path|plugins)\b/m };
const PNPMFILE: LoadedFile = { path: /\/\.?pnpmfile\.[cm]?js$/, as: 'node' };
/** The JS config files of the tools package scripts commonly run (`npm test` runs jest, which loads jest.config.js). */
const JS_TOOL_CONFIGS = jsConfigs(
  'jest',
  'vitest',
  'vite',
  'webpack',
  'rollup',
  'eslint',
  'prettier',
  'babel',
  'postcss',
  'tailwind',
  'next',
  'nuxt',
  'astro',
  'svelte',
  'playwright',
  'cypress',
  'mocha',
  'karma',
  'gulp',
  'grunt',
  'ava',
  'tsup',
  'stylelint',
  'lint-staged',
  'commitlint',
);

/** Tools whose config file is named for something else than the program (`tailwindcss` loads tailwind.config.js). */
const JS_TOOL_NAMES: Record<string, string> = { tailwindcss: 'tailwind', 'webpack-cli': 'webpack', nuxi: 'nuxt' };

const CARGO_RUNS = new Set(['run', 'r', 'test', 't', 'bench']);
const CARGO_BUILDS = new Set([
  'build',
  'b',
  'check',
  'c',
  'run',
  'r',
  'test',
  't',
  'bench',
  'install',
  'doc',
  'd',
  'clippy',
  'package',
  'publish',
  'fix',
  'rustc',
  'rustdoc',
]);

/** The files `name ARGS` loads and runs by convention (empty: none harness knows of). */
export function loadedFiles(name: string, args: Arg[]): LoadedFile[] {
  const words = args.filter((a) => !a.value.startsWith('-')).map((a) => a.value);
  const sub = words[0];
  switch (name) {
    case 'pytest':
    case 'py.test':
      return [PY_TESTS];
    case 'tox':
      return [
        { path: /\/setup\.py$/, as: 'python' },
        { path: /\/tox\.ini$/, as: 'settings', settings: /^\s*commands(?:_pre|_post)?\s*=/m },
      ];
    case 'nox':
      return [{ path: /\/noxfile\.py$/, as: 'python' }];
    case 'invoke':
    case 'inv':
      return [{ path: /\/tasks\.py$/, as: 'python' }];
    case 'fab':
      return [{ path: /\/fabfile\.py$/, as: 'python' }];
    case 'doit':
      return [{ path: /\/dodo\.py$/, as: 'python' }];
    case 'scons':
      return [{ path: /\/(?:SConstruct|SConscript)$/, as: 'python' }];
    case 'sphinx-build':
      return [{ path: /\/conf\.py$/, as: 'python' }];
    case 'jest':
    case 'vitest':
    case 'mocha':
    case 'ava':
    case 'playwright':
    case 'cypress':
      return [jsConfigs(name, 'vite', 'babel', 'svelte'), JS_TESTS];
    case 'vite':
    case 'webpack':
    case 'webpack-cli':
    case 'rollup':
    case 'eslint':
    case 'prettier':
    case 'babel':
    case 'postcss':
    case 'tailwindcss':
    case 'next':
    case 'nuxt':
    case 'nuxi':
    case 'astro':
    case 'karma':
    case 'gulp':
    case 'grunt':
    case 'tsup':
    case 'stylelint':
      return [jsConfigs(JS_TOOL_NAMES[name] ?? name, 'babel', 'postcss', 'svelte')];
    case 'npx':
    case 'pnpx':
      return [NPMRC];
    case 'npm':
    case 'pnpm':
    case 'yarn':
    case 'bun': {
      const installs = sub === undefined || ['install', 'i', 'ci', 'add', 'update', 'up', 'upgrade', 'rebuild', 'dedupe'].includes(sub);
      const runs = packageScripts(name, args) !== null;
      return [NPMRC, ...(name === 'yarn' ? [YARNRC] : []), ...(installs && name === 'pnpm' ? [PNPMFILE] : []), ...(runs ? [JS_TOOL_CONFIGS, JS_TESTS] : [])];
    }
    case 'cargo': {
      if (sub === undefined || !CARGO_BUILDS.has(sub)) return [];
      const settings: LoadedFile = {
        path: /\/\.cargo\/config(?:\.toml)?$/,
        as: 'settings',
        settings: /^\s*(?:runner|rustc-wrapper|rustc-workspace-wrapper|rustc|rustdoc|linker|ar)\s*=|^\s*\[target\b[^\]]*\]\s*$/m,
      };
      return [{ path: /\/build\.rs$/, as: 'other' }, settings, ...(CARGO_RUNS.has(sub) ? [{ path: /\.rs$/, as: 'other' } as LoadedFile] : [])];
    }
    case 'go':
      if (sub === 'generate') return [{ path: /\.go$/, as: 'go-generate' }];
      if (sub === 'test') return [{ path: /_test\.go$/, as: 'other' }];
      if (sub === 'run') return [{ path: /\.go$/, as: 'other' }];
      return [];
    case 'rake':
      return [{ path: /\/(?:[Rr]akefile(?:\.rb)?|[^/]+\.rake)$/, as: 'ruby' }];
    case 'rspec':
      return [{ path: /\/(?:[^/]+_spec|spec_helper|rails_helper)\.rb$/, as: 'ruby' }];
    case 'gem':
      return sub === 'build' ? [{ path: /\.gemspec$/, as: 'ruby' }] : [];
    case 'composer':
      return [{ path: /\/composer\.json$/, as: 'package-json' }];
    case 'pre-commit':
      return sub === 'run' || sub === 'try-repo' || sub === undefined ? [{ path: /\/\.pre-commit-config\.ya?ml$/, as: 'hook-entries' }] : [];
    case 'cmake':
      return [{ path: /\/(?:CMakeLists\.txt|[^/]+\.cmake)$/, as: 'other' }];
    case 'gradle':
    case 'gradlew':
      return [{ path: /\/(?:build|settings|init)\.gradle(?:\.kts)?$/, as: 'other' }];
    case 'mvn':
    case 'mvnw':
      return [{ path: /\/pom\.xml$/, as: 'settings', settings: /exec-maven-plugin|maven-antrun-plugin|groovy-maven-plugin|<exec\b|<executable>/ }];
    case 'sbt':
      return [{ path: /\/(?:build\.sbt|project\/[^/]+\.scala)$/, as: 'other' }];
    case 'swift':
      return sub === 'build' || sub === 'run' || sub === 'test' ? [{ path: /\/Package\.swift$/, as: 'other' }] : [];
    case 'zig':
      return sub === 'build' ? [{ path: /\/build\.zig$/, as: 'other' }] : [];
    case 'mix':
      return [{ path: /\/mix\.exs$/, as: 'other' }];
    default:
      return [];
  }
}
