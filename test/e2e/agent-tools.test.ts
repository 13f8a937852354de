import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeToolSet } from '../../src/agents/claude.js';
import { codexToolSet, CODEX_UNHOOKED } from '../../src/agents/codex.js';
import { geminiToolSet } from '../../src/agents/gemini.js';
import { declaredTool } from '../../src/agents/tool-table.js';
import {
  CLAUDE_BIN,
  claudeSandbox,
  CODEX_BIN,
  codexSandbox,
  GEMINI_BIN,
  geminiSandbox,
  latestSession,
  runHarness as run,
  type Sandbox,
} from '../support/agent-env.js';
import { CodexModel } from '../support/codex-model.js';
import { GeminiModel } from '../support/gemini-model.js';
import { ModelServer } from '../support/model-server.js';
import type { ScriptedModel } from '../support/scripted-model.js';

/**
 * The tools each pinned agent offers, read from the real binaries run offline against a scripted
 * model: every one must have a declaration in its adapter's table (or, for Codex, a reason why it
 * never reaches the hooks). A new pin that brings a tool fails here until the tool has a meaning.
 */

let model: ScriptedModel<unknown> | null = null;
afterEach(async () => {
  await model?.stop();
  model = null;
});

async function started<M extends ScriptedModel<unknown>>(m: M): Promise<{ model: M; url: string }> {
  model = m;
  return { model: m, url: await m.start() };
}

/** Runs an agent binary to completion (stdin closed), collecting its output. */
function runAgent(bin: string, args: string[], sb: Sandbox): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: sb.repo, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const undeclared = (names: string[], declared: (name: string) => boolean): string[] => names.filter((n) => !declared(n));

describe('Claude Code (pinned): every tool it offers is declared', () => {
  it('the tools of the stream-json init event', async () => {
    const { url } = await started(new ModelServer([{ text: 'done' }]));
    const sb = claudeSandbox(url);
    const r = await runAgent(CLAUDE_BIN, ['-p', 'hi', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'], sb);
    expect(r.code, r.stderr).toBe(0);
    const init = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type?: string; subtype?: string; tools?: string[]; claude_code_version?: string })
      .find((m) => m.type === 'system' && m.subtype === 'init');
    expect(init?.claude_code_version).toBe(
      JSON.parse(readFileSync(new URL('../../node_modules/@anthropic-ai/claude-code/package.json', import.meta.url), 'utf8')).version,
    );
    const tools = init?.tools ?? [];
    expect(tools).toEqual(expect.arrayContaining(['Bash', 'Monitor', 'CronCreate', 'ScheduleWakeup', 'Workflow', 'EnterWorktree']));
    expect(undeclared(tools, (n) => declaredTool(claudeToolSet, n) !== undefined)).toEqual([]);
  }, 120_000);

  /**
   * Other modes and settings offer more (AskUserQuestion and plan mode interactively, TodoWrite or
   * the Task* list, Glob/Grep without the embedded search tools, …). The binary names all its
   * built-in tools in one array literal (its telemetry's list of known tool names), found here by
   * three neighbours; its other names are legacy aliases, declared as such.
   */
  it('the built-in tool names in the binary', () => {
    const bin = readFileSync(new URL('../../node_modules/@anthropic-ai/claude-code/bin/claude.exe', import.meta.url));
    const at = bin.indexOf('"CronCreate","CronDelete","CronList"');
    expect(at, 'the list of built-in tools is not where it was: the pinned Claude Code changed, look again').toBeGreaterThan(0);
    const start = bin.lastIndexOf('[', at);
    const end = bin.indexOf(']', at);
    const names = JSON.parse(bin.subarray(start, end + 1).toString('utf8')) as string[];
    expect(names.length).toBeGreaterThan(40);
    expect(undeclared(names, (n) => declaredTool(claudeToolSet, n) !== undefined)).toEqual([]);
  });
});

describe('Codex CLI (pinned): every tool it offers is declared, or reaches no hook for a stated reason', () => {
  it('the tools of its first model request', async () => {
    const { model: m, url } = await started(new CodexModel([{ text: 'done' }]));
    const sb = codexSandbox(url);
    const r = await runAgent(CODEX_BIN, ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', 'hi'], sb);
    expect(r.code, r.stderr).toBe(0);
    // hosted tools (web_search, tool_search) have a type and no name
    const tools = (m.requests[0]?.tools ?? []).flatMap((t) =>
      t.type === 'namespace' ? ((t as { tools?: { name: string }[] }).tools ?? []).map((x) => x.name) : [t.name ?? t.type],
    );
    expect(tools).toEqual(expect.arrayContaining(['exec_command', 'write_stdin', 'apply_patch']));
    expect(undeclared(tools, (n) => declaredTool(codexToolSet, n) !== undefined || Object.hasOwn(CODEX_UNHOOKED, n))).toEqual([]);
  }, 120_000);

  it('under harness there are no terminal sessions for write_stdin (which reaches no hook) to type into', async () => {
    const { model: m, url } = await started(new CodexModel());
    m.setScript([{ tool: 'exec_command', input: { cmd: 'bash -i', tty: true, yield_time_ms: 500 } }, { text: 'done' }]);
    const sb = codexSandbox(url);
    const r = await run(['run', 'codex', '--', 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', 'x'], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expect([...m.toolOutputs().values()][0]).toMatch(/TTY execution is disabled/);
  }, 120_000);

  it("a person's option that would bring terminal sessions back is refused", async () => {
    const sb = codexSandbox('http://127.0.0.1:1');
    for (const args of [
      ['-c', 'features.unified_exec_tty=true'],
      ['--enable', 'unified_exec_tty'],
    ]) {
      const r = await run(['run', 'codex', '--', ...args, 'exec', 'x'], sb.env, sb.repo);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/write_stdin/);
    }
  }, 60_000);
});

describe('Gemini CLI (pinned): every tool it offers is declared', () => {
  it('the function declarations of its first model request', async () => {
    const { model: m, url } = await started(new GeminiModel([{ text: 'done' }]));
    const sb = geminiSandbox(url);
    sb.env.GEMINI_CLI_TRUST_WORKSPACE = 'true';
    const r = await runAgent(GEMINI_BIN, ['-m', 'gemini-2.5-flash', '--yolo', '-o', 'json', '-p', 'hi'], sb);
    expect(r.code, r.stderr).toBe(0);
    const request = m.requests[0] as { tools?: { functionDeclarations?: { name: string }[] }[] } | undefined;
    const tools = (request?.tools ?? []).flatMap((t) => t.functionDeclarations ?? []).map((d) => d.name);
    expect(tools).toEqual(expect.arrayContaining(['run_shell_command', 'write_file', 'replace']));
    expect(undeclared(tools, (n) => declaredTool(geminiToolSet, n) !== undefined)).toEqual([]);
  }, 120_000);
});

describe('harness run claude: the tools beyond Bash, Write and Edit', () => {
  it("Monitor's command is judged like Bash, worktree and cron tools are asked, and a skill's shell lines do not run", async () => {
    const { model: m, url } = await started(new ModelServer());
    const sb = claudeSandbox(url);
    const marker = join(sb.repo, 'skill-ran');
    mkdirSync(join(sb.repo, '.claude', 'skills', 'probe'), { recursive: true });
    writeFileSync(join(sb.repo, '.claude', 'skills', 'probe', 'SKILL.md'), `---\nname: probe\ndescription: a probe\n---\nFirst: !\`touch ${marker}\`\n`);
    m.setScript([
      { tool: 'Monitor', input: { description: 'clean', timeout_ms: 60000, command: 'rm -rf ~' } },
      { tool: 'EnterWorktree', input: { name: 'wt' } },
      { tool: 'CronCreate', input: { cron: '*/5 * * * *', prompt: 'tidy up', durable: true } },
      { tool: 'Skill', input: { skill: 'probe' } },
      { text: 'done' },
    ]);
    const r = await run(['run', 'claude', '--', '-p', 'x', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    const { rows } = latestSession(sb);
    expect(rows.map((x) => [x.tool, x.kind, x.verdict, x.ruleId])).toEqual([
      ['Monitor', 'shell', 'deny', 'fs.delete-home'],
      ['EnterWorktree', 'other', 'deny', 'core.worktree'],
      ['CronCreate', 'other', 'deny', 'core.scheduled'],
      ['Skill', 'other', 'allow', 'default.other'],
    ]);
    // the asks had nobody to answer them (no terminal): denied, and nothing happened
    expect(rows[1]).toMatchObject({ decidedBy: 'no-tty', askedFirst: true });
    expect(existsSync(join(sb.repo, '.claude', 'worktrees'))).toBe(false);
    expect(existsSync(join(sb.repo, '.claude', 'scheduled_tasks.json'))).toBe(false);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(sb.home)).toBe(true);
  }, 120_000);
});
