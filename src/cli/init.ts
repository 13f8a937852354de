import type { Command } from 'commander';

/** The file the loader looks for (src/config/load.ts CONFIG_FILE; not imported, so that registering init loads no schema). */
const CONFIG_FILE = 'harness.config.json';
const SCHEMA_FILE = 'harness.config.schema.json';
/** The installed package's root: dist/cli/init.js (or src/cli/init.ts under the tests) → ../../ */
const PACKAGE_ROOT = new URL('../../', import.meta.url);

/**
 * The starter config: JSON with comments (the loader accepts `//`, `/* *\/` and trailing commas,
 * src/config/jsonc.ts). Every value is the default, so writing it changes nothing until the person
 * edits it; the comments name the knobs and what they do.
 */
export function starterConfig(schemaRef: string): string {
  return `// harness: the rules and settings for the coding agents you run here with \`harness run\`.
// Comments and trailing commas are fine. Every field is optional, and the values below are the
// defaults. \`harness doctor\` checks this file; \`harness check 'rm -rf build'\` shows what the rules
// decide about a command and which rule decides; \`harness rules list\` lists every rule.
{
  "$schema": ${JSON.stringify(schemaRef)},

  // Built-in rule packs. "recommended": everyday work runs, destructive and secret-touching
  // operations are asked about or denied, harness protects itself. "strict", for unattended runs:
  // recommended plus an approval for any push, network transfer and package install.
  "extends": ["recommended"],

  // Rules of the packs to switch off, by id (the id is shown with every decision), e.g.
  // ["git.push-force-with-lease"].
  "disable": [],

  // Your own rules, added to the packs. Their examples are checked by \`harness rules test\`.
  "rules": [
    // {
    //   "id": "team.no-prod-db",
    //   "decision": "deny",
    //   "reason": "Never connect to the production database from an agent; use the local one.",
    //   "command": ["psql", "mysql"],
    //   "argsRegex": "prod(uction)?[.-]db",
    //   "examples": { "match": ["psql -h prod-db.internal"], "notMatch": ["psql -h localhost"] }
    // }
  ],

  // An "ask" opens a dialog over the agent; unanswered after timeoutSeconds, the call is denied.
  // Without a terminal (CI, pipes) nobody can be asked, and an ask becomes whenNoTty.
  "approvals": { "timeoutSeconds": 300, "whenNoTty": "deny" },

  // A git snapshot of the working tree before every change the agent makes, so that
  // \`harness rollback\` can undo it. Files larger than maxFileMB are left out, with a warning.
  "checkpoints": { "enabled": true, "maxFileMB": 50 },

  // The audit log (SQLite; \`harness log\` reads it) lives in harness's state directory outside the
  // working tree (~/.local/state/harness). To keep it elsewhere (relative paths are relative to
  // this repository):
  // "audit": { "path": "/var/log/harness/this-repo.db" },

  // The OS sandbox around the agent's whole process tree (Linux, bubblewrap). "auto": used when
  // this machine has it, else a warning; "required": refuse to start without it; "off".
  "sandbox": {
    "mode": "auto",
    "network": {
      // Hosts the agent's processes may reach besides its own API and the package registries,
      // e.g. ["*.corp.example", "10.0.0.5:5432"].
      "allowHosts": [],
      // Any other host: "ask" (a dialog, as for commands) or "deny".
      "unknownHosts": "ask"
    }
  }
}
`;
}

interface InitResult {
  config: string;
  /** The config's `$schema`, relative to the config's directory. */
  schema: string;
  /** Where the schema was copied to; null when `$schema` points into node_modules. */
  schemaCopied: string | null;
  next: string[];
}

async function init(cwd: string, explicit?: string): Promise<InitResult> {
  const { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } = await import('node:fs');
  // eslint-disable-next-line @typescript-eslint/unbound-method -- node:path's functions do not use `this`
  const { dirname, join, relative, resolve, sep } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { HarnessError } = await import('../errors.js');
  const { findWorkspace, displayPath } = await import('../workspace.js');

  if (explicit !== undefined && explicit.trim() === '') throw new HarnessError('--config: expected the name of the file to write', 2);
  const workspace = findWorkspace(cwd);
  const config = explicit ? resolve(cwd, explicit) : join(workspace, CONFIG_FILE);
  const shown = displayPath(workspace, config);
  const refuse = (): never => {
    throw new HarnessError(
      `${shown} already exists; harness init does not overwrite a config. Edit it (harness doctor checks it), or move it away and run harness init again.`,
      1,
    );
  };
  if (existsSync(config)) {
    if (statSync(config).isDirectory()) throw new HarnessError(`${shown} is a directory; give --config the name of the file to write`, 2);
    refuse();
  }
  /** A file system operation whose failure (a name too long, no permission, read-only) is the person's to fix, in one line. */
  const attempt = <T>(path: string, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      // anything may be thrown: its message is only read as text
      const e = error as Partial<NodeJS.ErrnoException>;
      if (error instanceof HarnessError || typeof e.code !== 'string') throw error;
      // the reason first: a very long path is cut short when printed
      throw new HarnessError(
        `${
          String(e.message)
            .replace(/^\w+: /, '')
            .split(',')[0]
        } (${e.code}): cannot write ${displayPath(workspace, path)}`,
        1,
      );
    }
  };

  const root = fileURLToPath(PACKAGE_ROOT);
  const ours = join(root, SCHEMA_FILE);
  const name = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string }).name;
  const ref = (target: string): string => {
    const rel = relative(dirname(config), target).split(sep).join('/');
    return rel.startsWith('../') ? rel : `./${rel}`;
  };

  // `$schema` must resolve in this repository. harness installed in it (a devDependency): its
  // schema in node_modules, which stays current as harness is upgraded and resolves for everyone
  // who runs npm install. Otherwise (npm install -g, npx) a copy beside the config, to commit with
  // it: an absolute path into this machine's global install would not resolve anywhere else.
  const local = join(workspace, 'node_modules', name, SCHEMA_FILE);
  attempt(dirname(config), () => mkdirSync(dirname(config), { recursive: true }));
  let schemaCopied: string | null = null;
  let createdSchema = false;
  let schema: string;
  if (existsSync(local)) schema = ref(local);
  else {
    const copy = join(dirname(config), SCHEMA_FILE);
    if (existsSync(copy)) {
      let title: unknown;
      try {
        title = (JSON.parse(readFileSync(copy, 'utf8')) as { title?: unknown }).title;
      } catch {
        title = undefined;
      }
      if (title !== 'harness configuration') {
        throw new HarnessError(
          `${displayPath(workspace, copy)} exists and is not harness's JSON schema; harness init writes its schema there. Move that file away and run harness init again.`,
          1,
        );
      }
    }
    // (in a checkout of harness itself the schema is already there)
    if (resolve(copy) !== resolve(ours)) {
      const isNew = !existsSync(copy);
      attempt(copy, () => copyFileSync(ours, copy));
      schemaCopied = copy;
      createdSchema = isNew;
    }
    schema = ref(copy);
  }

  try {
    // never over a config that appeared meanwhile
    attempt(config, () => {
      try {
        writeFileSync(config, starterConfig(schema), { flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') refuse();
        throw error;
      }
    });
  } catch (error) {
    // no schema left behind for a config that is not there
    if (createdSchema && schemaCopied) rmSync(schemaCopied, { force: true });
    throw error;
  }
  return {
    config,
    schema,
    schemaCopied,
    next: ['harness doctor', 'harness run claude'],
  };
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a starter harness.config.json here (commented, the defaults), and say what to do next')
    .option('-c, --config <file>', `where to write it (default: ${CONFIG_FILE} in the workspace)`)
    .option('--json', 'print what was written as JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const result = await init(process.cwd(), opts.config);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const { displayPath, findWorkspace } = await import('../workspace.js');
      const workspace = findWorkspace(process.cwd());
      const lines = [`wrote ${displayPath(workspace, result.config)}: the recommended rules and the main settings, commented; every value is the default`];
      if (result.schemaCopied) lines.push(`wrote ${displayPath(workspace, result.schemaCopied)}: its JSON schema, for your editor (commit both)`);
      else lines.push(`its "$schema" is ${result.schema}`);
      lines.push(
        '',
        'next:',
        '  harness doctor        check that harness can supervise an agent on this machine, and what to fix',
        '  harness run claude    work with Claude Code under harness (or: codex, gemini, -- <any program>)',
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
