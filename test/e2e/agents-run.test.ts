import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CodexModel } from '../support/codex-model.js';
import type { GeminiModel } from '../support/gemini-model.js';
import { codexSandbox, geminiSandbox, latestSession, runHarness as run, type Sandbox } from '../support/agent-env.js';
import { codex, gemini, type AgentCase } from '../support/agent-cases.js';

let stop: (() => Promise<void>) | null = null;
afterEach(async () => {
  await stop?.();
  stop = null;
});

async function sandboxWithModel(agent: AgentCase): Promise<{ sb: Sandbox; model: CodexModel | GeminiModel }> {
  const model = agent.model();
  stop = () => model.stop();
  return { sb: agent.sandbox(await model.start()), model };
}

describe.each([codex, gemini])('harness run $name (the real CLI, scripted model)', (agent) => {
  it('runs a harmless command, an allowed write and edit; blocks a destructive command and a protected write (the model is told why); an ask without a terminal is denied; all logged', async () => {
    const { sb, model } = await sandboxWithModel(agent);
    writeFileSync(join(sb.home, 'keep-me.txt'), 'still here');
    model.setScript([
      agent.shell('echo hello > harmless.txt'),
      agent.shell('rm -rf ~'),
      agent.write('notes.md', '# notes\n'),
      agent.edit('notes.md', '# notes', '# notes, edited'),
      agent.write(agent.protectedFile.path, '{"hooksConfig":{"enabled":false}}\n'),
      agent.shell('git reset --hard'),
      { text: 'all done' },
    ]);

    const r = await run(['run', agent.name, '--', ...agent.args], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);

    // on disk
    expect(readFileSync(join(sb.repo, 'harmless.txt'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(sb.home, 'keep-me.txt'), 'utf8')).toBe('still here');
    expect(readFileSync(join(sb.repo, 'notes.md'), 'utf8')).toBe('# notes, edited\n');
    expect(existsSync(join(sb.repo, agent.protectedFile.path))).toBe(false);

    // what the model was told
    const told = agent.outputs(model);
    expect(told, JSON.stringify(told)).toHaveLength(6);
    expect(told[0]).not.toMatch(/harness denied/);
    expect(told[1]).toMatch(/harness denied this \(rule fs\.delete-home\)/);
    expect(told[4]).toContain(`harness denied this (rule ${agent.protectedFile.rule})`);
    expect(told[5]).toMatch(/nobody could be asked \(no terminal\)/);

    // the audit log
    const { rows } = latestSession(sb);
    expect(rows.map((x) => [x.tool, x.verdict, x.ruleId])).toEqual([
      [agent.shellTool, 'allow', null],
      [agent.shellTool, 'deny', 'fs.delete-home'],
      [agent.fileTool('write'), 'allow', null],
      [agent.fileTool('edit'), 'allow', null],
      [agent.fileTool('write'), 'deny', agent.protectedFile.rule],
      [agent.shellTool, 'deny', 'git.reset-hard'],
    ]);
    expect(rows.every((x) => x.agent === agent.name)).toBe(true);
    expect(rows.filter((x) => x.verdict === 'allow').map((x) => x.ok)).toEqual([true, true, true]);
    expect(rows[5]).toMatchObject({ decidedBy: 'no-tty', askedFirst: true });
    expect(r.stderr).toMatch(/6 tool calls: 3 allowed, 3 denied/);
    // the person's agent config is as it was (Gemini's new files moved there from the private copy)
    expect(agent.configUntouched(sb)).toBe(true);
  }, 120_000);

  it('a destructive command runs; harness rollback puts the files back exactly', async () => {
    const { sb, model } = await sandboxWithModel(agent);
    writeFileSync(join(sb.repo, 'keep.txt'), 'precious\n');
    mkdirSync(join(sb.repo, 'src'));
    writeFileSync(join(sb.repo, 'src', 'app.ts'), 'export const x = 1;\n');
    // (Codex itself refuses rm -f)
    model.setScript([agent.shell('rm keep.txt && rm -r src && echo generated > new.txt'), { text: 'done' }]);
    const r = await run(['run', agent.name, '--', ...agent.args], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(sb.repo, 'keep.txt')), JSON.stringify([latestSession(sb).rows, agent.outputs(model)])).toBe(false);
    expect(existsSync(join(sb.repo, 'new.txt'))).toBe(true);

    const rb = await run(['rollback'], sb.env, sb.repo);
    expect(rb.code, rb.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, 'keep.txt'), 'utf8')).toBe('precious\n');
    expect(readFileSync(join(sb.repo, 'src', 'app.ts'), 'utf8')).toBe('export const x = 1;\n');
    expect(existsSync(join(sb.repo, 'new.txt'))).toBe(false);
    expect(() => execFileSync('git', ['rev-parse', '--verify', 'HEAD'], { cwd: sb.repo, stdio: 'ignore' })).toThrow();
    const { checkpoints, changes } = latestSession(sb);
    // the one before the call, and the tree as the session ended
    expect(checkpoints.map((c) => (c.toolUseId === null ? c.summary.replace(/^checkpoint \w+: /, '') : 'before the call'))).toEqual([
      'before the call',
      'the working tree when the session ended',
    ]);
    expect(changes.map((c) => `${c.status} ${c.path}`).sort()).toEqual(['added new.txt', 'deleted keep.txt', 'deleted src/app.ts']);
  }, 120_000);
});

describe("the repository or the person's settings cannot switch harness off", () => {
  it("codex: a trusted repository's .codex/config.toml with features.hooks = false", async () => {
    const { sb, model } = await sandboxWithModel(codex);
    mkdirSync(join(sb.repo, '.codex'));
    writeFileSync(join(sb.repo, '.codex', 'config.toml'), '[features]\nhooks = false\n');
    writeFileSync(join(sb.home, 'keep-me.txt'), 'still here');
    model.setScript([codex.shell('rm -r "$HOME"'), { text: 'done' }]);
    const r = await run(['run', 'codex', '--', ...codex.args], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(sb.home, 'keep-me.txt'))).toBe(true);
    expect(codex.outputs(model)[0]).toMatch(/harness denied this \(rule fs\.delete-home\)/);
  }, 120_000);

  it.each([
    [['--remote', 'ws://127.0.0.1:1'], /--remote/],
    [['-c', 'features.hooks=false', 'exec', 'x'], /features\.hooks=false/],
    [['--config=hooks.PreToolUse=[]', 'exec', 'x'], /hooks\.PreToolUse/],
    [['--disable', 'hooks', 'exec', 'x'], /--disable hooks/],
  ])('codex: refuses %j before starting anything', async (args, message) => {
    const sb = codexSandbox('http://127.0.0.1:1');
    const r = await run(['run', 'codex', '--', ...args], sb.env, sb.repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("gemini: hooks switched off in the person's own settings are switched on for the run (their file unchanged)", async () => {
    const { sb, model } = await sandboxWithModel(gemini);
    const mine = JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } }, hooksConfig: { enabled: false } });
    writeFileSync(join(sb.home, '.gemini', 'settings.json'), mine);
    writeFileSync(join(sb.home, 'keep-me.txt'), 'still here');
    model.setScript([gemini.shell('rm -rf ~'), { text: 'done' }]);
    const r = await run(['run', 'gemini', '--', ...gemini.args], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(sb.home, 'keep-me.txt'))).toBe(true);
    expect(gemini.outputs(model)[0]).toMatch(/harness denied this \(rule fs\.delete-home\)/);
    expect(readFileSync(join(sb.home, '.gemini', 'settings.json'), 'utf8')).toBe(mine);
  }, 120_000);

  it('gemini: a workspace settings file that switches hooks off is refused, naming the file', async () => {
    const sb = geminiSandbox('http://127.0.0.1:1');
    mkdirSync(join(sb.repo, '.gemini'));
    writeFileSync(join(sb.repo, '.gemini', 'settings.json'), '{ // hooks off\n "hooksConfig": { "enabled": false } }');
    const r = await run(['run', 'gemini', '--', '-p', 'x'], sb.env, sb.repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(sb.repo, '.gemini', 'settings.json'));
    expect(r.stderr).toMatch(/hooksConfig\.enabled: false/);
  });
});
