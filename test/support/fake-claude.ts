import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FAKE_CLAUDE = new URL('../fixtures/fake-claude.mjs', import.meta.url).pathname;

/** What the stand-in logged of one hook it ran (see fake-claude.mjs). */
export interface FakeAnswer {
  id?: string;
  event?: 'pre' | 'post';
  allowed?: boolean;
  code: number | null;
  stdout?: string;
  stderr?: string;
  sh?: string;
}

/**
 * A Claude Code stand-in (test/fixtures/fake-claude.mjs) that runs `steps` in `dir` through the
 * real hooks: the environment that makes harness start it, and what its hooks answered so far.
 */
export function fakeClaude(dir: string, steps: unknown[]): { env: NodeJS.ProcessEnv; log: string; answers: () => FakeAnswer[] } {
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'script.json');
  const log = join(dir, 'agent.jsonl');
  writeFileSync(script, JSON.stringify(steps));
  const answers = (): FakeAnswer[] =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as FakeAnswer)
      : [];
  return { env: { HARNESS_CLAUDE_BIN: FAKE_CLAUDE, FAKE_AGENT_SCRIPT: script, FAKE_AGENT_LOG: log }, log, answers };
}
