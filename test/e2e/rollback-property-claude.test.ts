import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeSandbox, latestSession, runHarness } from '../support/agent-env.js';
import { ModelServer, type Step } from '../support/model-server.js';
import { listingDiff, treeListing } from '../support/tree-hash.js';

/*
 * Seeded, replayable property test of checkpoints and rollback through the REAL Claude Code under
 * `harness run claude`: a random sequence of tool calls (Write, Edit, and Bash commands that create,
 * delete, rename, write binary content, make and retarget symlinks, change mode bits, use names that
 * are not UTF-8 or hold newlines, spaces and dashes, write CRLF files in a `* text=auto` repository,
 * edit ignore rules to hide or drop files, make and remove empty directories). The scripted model
 * server notes the whole tree on disk (names as bytes, content, mode bits, link targets, empty
 * directories) when each request arrives, that is, right before the call it answers with runs.
 * After the session, `harness rollback --to <the checkpoint recorded for a call>` must bring back
 * exactly that tree, for every call in a shuffled order, and `harness rollback --undo` exactly the
 * tree before the rollback.
 *
 * HARNESS_PROPERTY_SESSIONS=n runs n sessions (default 3: the CI share, about 2-3 minutes loaded);
 * HARNESS_PROPERTY_CALLS=n calls per session (default 8); HARNESS_PROPERTY_FIRST=n shifts the seeds;
 * HARNESS_PROPERTY_DEBUG=1 prints each session's calls, verdicts and checkpoints.
 * A failure prints its seed, the calls and a replay command:
 *   HARNESS_PROPERTY_FIRST=<seed - 9000> HARNESS_PROPERTY_SESSIONS=1 npx vitest run test/e2e/rollback-property-claude.test.ts
 */

const SESSIONS = Number(process.env.HARNESS_PROPERTY_SESSIONS ?? 3);
const CALLS = Number(process.env.HARNESS_PROPERTY_CALLS ?? 8);
const FIRST = Number(process.env.HARNESS_PROPERTY_FIRST ?? 0);
const BASE = 9000;

/** Deterministic PRNG so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Bash's $'…' quoting: any byte, so names that are not UTF-8 or hold newlines can be written. */
const ansi = (bytes: Buffer): string =>
  `$'${[...bytes].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('')}'`;
const q = (name: string): string => ansi(Buffer.from(name, 'latin1'));

interface Gen {
  r: () => number;
  /** What the generator believes is on disk: text files with known content (null: content unknown), by latin1 name. */
  files: Map<string, string | null>;
  dirs: Set<string>;
  n: number;
}

const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;

// names as latin1 strings (one char per byte); the first ones are UTF-8 and can go through Write/Edit
const TEXT_NAMES = ['a.txt', 'b.md', 'src/app.ts', 'src/lib/util.ts', 'report.txt', 'sp ace.txt', '-dash.txt', 'notes/todo.txt', 'made.log', 'build/gen.txt'];
const ODD_NAMES = ['n\xe9e', 'new\nline', 'caf\xc3\xa9.txt', '*glob?.txt', "quo'te.txt", 'ctl\x01.bin'];
const DIRS = ['src', 'src/lib', 'notes', 'e', 'e/f', 'moved', 'build'];

function lines(g: Gen): string {
  const count = 1 + Math.floor(g.r() * 4);
  return Array.from({ length: count }, () => `line ${++g.n} ${Math.floor(g.r() * 1e6)}`).join('\n') + '\n';
}

/** One random mutating tool call (maybe preceded by a Read, which Claude Code wants before a Write over a file or an Edit). */
function randomCall(g: Gen, repo: string): Step[] {
  const r = g.r;
  const known = [...g.files].filter(([p, c]) => c !== null && TEXT_NAMES.includes(p));
  const any = [...g.files.keys()];
  const kind = pick(r, [
    'write',
    'write',
    'edit',
    'edit',
    'create',
    'delete',
    'rename',
    'binary',
    'symlink',
    'chmod',
    'odd',
    'crlf',
    'ignore',
    'emptydir',
    'rmdir',
    'replace',
  ] as const);
  const bash = (command: string, then?: () => void): Step[] => {
    then?.();
    return [{ tool: 'Bash', input: { command, description: kind } }];
  };
  switch (kind) {
    case 'write': {
      const p = pick(r, TEXT_NAMES);
      const content = r() < 0.2 ? lines(g).replace(/\n/g, '\r\n') : lines(g);
      const file = join(repo, p);
      const steps: Step[] = g.files.has(p) ? [{ tool: 'Read', input: { file_path: file } }] : [];
      for (let d = p.lastIndexOf('/'); d > 0; d = p.lastIndexOf('/', d - 1)) g.dirs.add(p.slice(0, d));
      g.files.set(p, content);
      return [...steps, { tool: 'Write', input: { file_path: file, content } }];
    }
    case 'edit': {
      if (known.length === 0) return randomCall(g, repo);
      const [p, content] = pick(r, known);
      const old = pick(r, content!.split('\n').filter(Boolean));
      const replacement = `edited ${++g.n}`;
      g.files.set(p, content!.replace(old, replacement));
      const file = join(repo, p);
      return [
        { tool: 'Read', input: { file_path: file } },
        { tool: 'Edit', input: { file_path: file, old_string: old, new_string: replacement, replace_all: false } },
      ];
    }
    case 'create': {
      const p = pick(r, TEXT_NAMES);
      const dir = p.includes('/') ? `mkdir -p ${q(p.slice(0, p.lastIndexOf('/')))} && ` : '';
      const content = lines(g);
      return bash(`${dir}printf '%s' ${ansi(Buffer.from(content))} > ${q(p)}`, () => g.files.set(p, content));
    }
    case 'delete': {
      if (r() < 0.3) {
        const d = pick(r, DIRS);
        return bash(`rm -rf ${q(d)}`, () => {
          for (const p of any) if (p.startsWith(`${d}/`)) g.files.delete(p);
          for (const x of [...g.dirs]) if (x === d || x.startsWith(`${d}/`)) g.dirs.delete(x);
        });
      }
      const p = any.length > 0 ? pick(r, any) : pick(r, TEXT_NAMES);
      return bash(`rm -f ${q(p)}`, () => g.files.delete(p));
    }
    case 'rename': {
      if (r() < 0.4) {
        // not build/: what was ignored from the start is never recorded, so a rollback to before
        // `mv build moved` removes moved/ and cannot bring build/ back (a known gap, see the report)
        const from = pick(
          r,
          DIRS.filter((d) => d !== 'build'),
        );
        const to = pick(r, ['moved', 'renamed', 'e/f']);
        return bash(`mv ${q(from)} ${q(to)} 2>/dev/null || true`, () => {
          for (const p of any) {
            if (p.startsWith(`${from}/`)) {
              g.files.set(p.replace(from, to), null);
              g.files.delete(p);
            }
          }
        });
      }
      const from = any.length > 0 ? pick(r, any) : 'a.txt';
      const to = pick(r, [...TEXT_NAMES, ...ODD_NAMES]);
      return bash(`mv -f -- ${q(from)} ${q(to)} 2>/dev/null || true`, () => {
        g.files.set(to, g.files.get(from) ?? null);
        if (from !== to) g.files.delete(from);
      });
    }
    case 'binary': {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
      const p = pick(r, ['data.bin', 'img.png', ...ODD_NAMES]);
      const esc = [...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
      return bash(`printf '${esc}' > ${q(p)}`, () => g.files.set(p, null));
    }
    case 'symlink': {
      const link = pick(r, ['link', 'src/ln', 'dirlink']);
      const target = pick(r, ['a.txt', 'src', 'missing/target', '../outside', 'n\xe9e', 'report.txt']);
      const dir = link.includes('/') ? 'mkdir -p src && ' : '';
      return bash(`${dir}ln -sfn ${q(target)} ${q(link)}`, () => g.files.set(link, null));
    }
    case 'chmod': {
      const p = any.length > 0 ? pick(r, any) : 'keep.txt';
      return bash(`chmod ${pick(r, ['+x', '-x', '600', '755', '640', 'g+w'])} -- ${q(p)}`);
    }
    case 'odd': {
      const p = pick(r, ODD_NAMES);
      if (r() < 0.5)
        return bash(`python3 -c "open(bytes.fromhex('${Buffer.from(p, 'latin1').toString('hex')}'),'wb').write(b'odd ${++g.n}')"`, () => g.files.set(p, null));
      return bash(`printf 'odd ${++g.n}\\n' > ${q(p)}`, () => g.files.set(p, null));
    }
    case 'crlf': {
      const p = pick(r, ['crlf.txt', 'a.txt', 'win.bat']);
      return bash(`printf 'one\\r\\ntwo ${++g.n}\\r\\nmixed\\n' > ${q(p)}`, () => g.files.set(p, null));
    }
    case 'ignore':
      return pick(r, [
        () => bash("echo '*.txt' >> .gitignore; rm -f report.txt", () => g.files.delete('report.txt')),
        () => bash("echo 'secret.md' >> .gitignore; echo hidden > secret.md", () => g.files.set('secret.md', null)),
        () => bash("sed -i '/txt/d' .gitignore"),
        () => bash("echo 'src/' >> .gitignore; echo more >> src/app.ts", () => g.files.set('src/app.ts', null)),
        () => bash(`echo made ${++g.n} > made.log`, () => g.files.set('made.log', null)),
        () => bash('mkdir -p build && echo out > build/new.js', () => g.files.set('build/new.js', null)),
      ])();
    case 'emptydir': {
      const d = pick(r, ['e/f', 'empty', 'src/void']);
      return bash(`mkdir -p ${q(d)}`, () => g.dirs.add(d));
    }
    case 'rmdir': {
      const d = pick(r, ['e/f', 'empty', 'src/void', 'e']);
      return bash(`rmdir ${q(d)} 2>/dev/null || true`, () => g.dirs.delete(d));
    }
    case 'replace': {
      // a file becomes a directory, or a directory a file
      const p = pick(r, ['a.txt', 'src/lib', 'notes', 'b.md']);
      return bash(`rm -rf ${q(p)} && ${r() < 0.5 ? `mkdir -p ${q(p)} && echo inner > ${q(`${p}/inner.txt`)}` : `echo flat > ${q(p)}`}`, () => {
        for (const f of any) if (f === p || f.startsWith(`${p}/`)) g.files.delete(f);
        g.files.set(p, null);
      });
    }
  }
}

/** Notes the tree on disk when each request with tools arrives: the state right before the call it answers with. */
class NotingModel extends ModelServer {
  readonly before = new Map<number, string[]>();
  repo = '';

  protected override async handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    try {
      const request = JSON.parse(body) as { messages?: { role: string }[]; tools?: unknown[] };
      if (request.tools && request.tools.length > 0 && this.repo)
        this.before.set((request.messages ?? []).filter((m) => m.role === 'assistant').length, treeListing(this.repo));
    } catch {
      // not JSON: the server answers it as it would
    }
    return super.handle(req, body, res);
  }
}

let model: NotingModel | null = null;
afterEach(async () => {
  await model?.stop();
  model = null;
});

/**
 * What a checkpoint must hold of a listing: not build/, ignored since before the session (files
 * there are never recorded unless a tool declares it writes them: build/gen.txt, once a Write or
 * an Edit of it ran at or before the checkpoint's call).
 */
function domain(listing: string[], claimed: boolean): string[] {
  return listing.filter((l) => !(l.startsWith('build ') || (l.startsWith('build/') && !(claimed && l.startsWith('build/gen.txt ')))));
}

const show = (s: Step): string => ('tool' in s ? `${s.tool} ${JSON.stringify(s.input)}` : `text ${s.text}`);

async function oneSession(seed: number): Promise<void> {
  const server = new NotingModel();
  model = server;
  const sb = claudeSandbox(await server.start());
  const { repo, env } = sb;
  const git = (args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(join(repo, '.gitattributes'), '* text=auto\n');
  writeFileSync(join(repo, '.gitignore'), '*.log\nbuild/\n');
  writeFileSync(join(repo, 'keep.txt'), 'precious\n');
  writeFileSync(join(repo, 'report.txt'), 'report\n');
  mkdirSync(join(repo, 'src'));
  writeFileSync(join(repo, 'src', 'app.ts'), 'export const x = 1;\n');
  writeFileSync(join(repo, 'baseline.log'), 'ignored before the session\n');
  mkdirSync(join(repo, 'build'));
  writeFileSync(join(repo, 'build', 'out.js'), 'ignored output\n');
  git(['add', '-A']);
  git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init']);

  const g: Gen = {
    r: rng(seed),
    files: new Map([
      ['keep.txt', 'precious\n'],
      ['report.txt', 'report\n'],
      ['src/app.ts', 'export const x = 1;\n'],
    ]),
    dirs: new Set(['src']),
    n: 0,
  };
  const script: Step[] = [];
  while (script.filter((s) => 'tool' in s && s.tool !== 'Read').length < CALLS) script.push(...randomCall(g, repo));
  script.push({ text: 'done' });
  server.setScript(script);
  server.repo = repo;
  const context = (): string =>
    [
      `seed ${seed} (replay: HARNESS_PROPERTY_FIRST=${seed - BASE} HARNESS_PROPERTY_SESSIONS=1 npx vitest run test/e2e/rollback-property-claude.test.ts)`,
      ...script.map((s, i) => `  ${i}: ${show(s)}`),
    ].join('\n');

  const run = await runHarness(['run', 'claude', '--', '-p', 'do the task', '--dangerously-skip-permissions'], env, repo);
  expect(run.code, `${context()}\n${run.stderr}`).toBe(0);
  const end = treeListing(repo);
  const { checkpoints, rows } = latestSession(sb);
  const turnOf = (id: string | null): number => (id && /^toolu_\d+$/.test(id) ? Number(id.slice(6)) : -1);
  // the checkpoint recorded for each mutating call, and the tree the model server saw before it
  const points = checkpoints.filter((c) => c.commit && turnOf(c.toolUseId) >= 0).map((c) => ({ turn: turnOf(c.toolUseId), commit: c.commit! }));
  const decided = rows.map((x) => `${x.toolUseId} ${x.tool} ${x.verdict}${x.ruleId ? ` ${x.ruleId}` : ''}`).join('\n  ');
  expect(points.length, `${context()}\nno checkpoints; calls:\n  ${decided}`).toBeGreaterThan(0);
  if (process.env.HARNESS_PROPERTY_DEBUG)
    console.log(`${context()}\ncalls:\n  ${decided}\ncheckpoints: ${points.map((p) => `${p.turn}:${p.commit.slice(0, 8)}`).join(' ')}`);
  for (const p of points) expect(server.before.has(p.turn), `${context()}\nno tree noted before turn ${p.turn}`).toBe(true);

  // the first Write or Edit of build/gen.txt that reached harness (Claude Code may refuse one itself, e.g. an Edit of a file it did not read)
  const targetsGen = (turn: number): boolean => {
    const s = script[turn];
    return !!s && 'tool' in s && typeof s.input === 'object' && s.input.file_path === join(repo, 'build', 'gen.txt');
  };
  const firstClaim = Math.min(
    ...rows
      .filter((x) => (x.tool === 'Write' || x.tool === 'Edit') && x.verdict === 'allow' && targetsGen(turnOf(x.toolUseId)))
      .map((x) => turnOf(x.toolUseId)),
    Infinity,
  );
  const claimedAt = (turn: number): boolean => turn >= firstClaim;
  const last = script.length;
  const order = points.map((p) => p).sort(() => g.r() - 0.5);
  let previous = end;
  let previousTurn = last;
  for (const [i, p] of order.entries()) {
    const back = await runHarness(['rollback', '--to', p.commit], env, repo);
    expect(back.code, `${context()}\nrollback --to ${p.commit} (before call ${p.turn}): ${back.stderr}`).toBe(0);
    const now = treeListing(repo);
    expect(
      listingDiff(domain(server.before.get(p.turn)!, claimedAt(p.turn)), domain(now, claimedAt(p.turn))),
      `${context()}\nrollback --to the checkpoint before call ${p.turn} (${show(script[p.turn]!)}); calls:\n  ${decided}`,
    ).toEqual([]);
    // the first and the last rollback are undone and redone: the undo brings back exactly the tree before it
    if (i === 0 || i === order.length - 1) {
      const undo = await runHarness(['rollback', '--undo'], env, repo);
      expect(undo.code, `${context()}\nrollback --undo: ${undo.stderr}`).toBe(0);
      expect(
        listingDiff(domain(previous, claimedAt(previousTurn)), domain(treeListing(repo), claimedAt(previousTurn))),
        `${context()}\nrollback --undo after the rollback to before call ${p.turn}`,
      ).toEqual([]);
      const redo = await runHarness(['rollback', '--undo'], env, repo);
      expect(redo.code, `${context()}\nrollback --undo (redo): ${redo.stderr}`).toBe(0);
      expect(
        listingDiff(domain(now, claimedAt(p.turn)), domain(treeListing(repo), claimedAt(p.turn))),
        `${context()}\nrollback --undo twice (redo) to before call ${p.turn}`,
      ).toEqual([]);
    }
    previous = now;
    previousTurn = p.turn;
  }
}

describe('rollback property test through the real Claude Code (seeded)', () => {
  it.each(Array.from({ length: SESSIONS }, (_, i) => BASE + FIRST + i))(
    'seed %i',
    async (seed) => {
      await oneSession(seed);
    },
    300_000,
  );
});
