import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/store.js';
import { auditPathFor } from '../../src/workspace.js';
import { claudeSandbox, HARNESS_BIN, latestSession } from '../support/agent-env.js';
import { ModelServer } from '../support/model-server.js';
import { until } from '../support/until.js';

/** How long after a call harness takes a change to be possibly its own (ToolGate.busy's grace), with margin. */
const CALL_GRACE_MS = 400;

let model: ModelServer | null = null;
afterEach(async () => {
  await model?.stop();
  model = null;
});

/** The session's events as the audit log has them now (read while harness runs). */
function eventsNow(sb: { repo: string; env: NodeJS.ProcessEnv }) {
  const log = AuditLog.open(auditPathFor(sb.repo, sb.env));
  try {
    const id = log.latestSessionId();
    return id ? log.eventsOf(id) : [];
  } finally {
    log.close();
  }
}

describe('the watcher with the real Claude Code', () => {
  // without the sandbox (which would refuse the config write outright) the watcher is the layer that puts it back
  it('a background writer started by an allowed command: its file is recorded as out-of-band, its config rewrite is reverted (no sandbox)', async () => {
    model = new ModelServer();
    const sb = claudeSandbox(await model.start());
    const config = JSON.stringify({ rules: [{ id: 'team.no-curl', decision: 'deny', command: 'curl', reason: 'no network' }] });
    writeFileSync(join(sb.repo, 'harness.config.json'), config);
    // the writer acts once the test says so (no tool call runs then), and stays until the test saw what it did
    const go = join(sb.root, 'writer-go');
    const stop = join(sb.root, 'writer-stop');
    const writer = [
      "const fs = require('fs');",
      'const when = (file, then) => { const t = setInterval(() => { if (fs.existsSync(file)) { clearInterval(t); then(); } }, 20); };',
      `when(${JSON.stringify(go)}, () => {`,
      "  fs.writeFileSync('generated.txt', 'written in the background\\n');",
      "  fs.writeFileSync('harness.config.json', '{}');",
      `  when(${JSON.stringify(stop)}, () => {});`,
      '});',
      // too large for harness to judge by content (it would refuse the config write first): the watcher is what this is about
      ...Array.from({ length: 1024 }, () => `// ${'padding '.repeat(40)}`),
    ].join('\n');
    model.setScript([
      { tool: 'Write', input: { file_path: join(sb.repo, 'writer.js'), content: writer } },
      { tool: 'Bash', input: { command: 'node writer.js > /dev/null 2>&1 &', description: 'start the writer' } },
      { tool: 'Bash', input: { command: 'curl -s http://127.0.0.1:9/', description: 'still denied?' } },
      { text: 'done' },
    ]);
    // the model waits after the writer started, so the writer acts while no tool call runs
    const idle = model.hold(2);
    const child = spawn(process.execPath, [HARNESS_BIN, 'run', '--no-sandbox', 'claude', '--', '-p', 'start the writer', '--dangerously-skip-permissions'], {
      cwd: sb.repo,
      env: sb.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    await idle.reached;
    // the model's next request can come before the call's PostToolUse: wait until harness has the
    // writer call's result, then past the moment after a call when a change may still be its own
    await until("the writer call's result in the log", () => latestSession(sb).rows.some((r) => r.summary.startsWith('node writer.js') && r.ok !== null));
    const finished = Date.now();
    await until('the grace after a call to pass', () => Date.now() - finished > CALL_GRACE_MS);
    writeFileSync(go, '');
    try {
      await until(
        'the out-of-band and tamper-reverted events',
        () => ['out-of-band', 'tamper-reverted'].every((k) => eventsNow(sb).some((e) => e.kind === k)),
        15_000,
      );
    } finally {
      writeFileSync(stop, '');
      idle.release();
    }
    expect(await exited, stderr).toBe(0);

    // the writer's file stays; the config is as the person wrote it, and its rule still holds
    expect(readFileSync(join(sb.repo, 'generated.txt'), 'utf8')).toContain('background');
    expect(readFileSync(join(sb.repo, 'harness.config.json'), 'utf8')).toBe(config);
    expect(JSON.stringify(model.toolResults())).toMatch(/team\.no-curl/);
    expect(stderr).toMatch(/harness\.config\.json changed while processes started by the session ran .*node writer\.js.*put it back/);

    const { rows } = latestSession(sb);
    const bashCall = rows.find((r) => r.summary.startsWith('node writer.js'))!;
    const events = eventsNow(sb);
    const outOfBand = events.find((e) => e.kind === 'out-of-band')!;
    expect(outOfBand.detail).toMatch(/generated\.txt/);
    expect(outOfBand.detail).toMatch(/most likely started by `node writer\.js/);
    expect(outOfBand.toolUseId).toBe(bashCall.toolUseId);
    expect(events.find((e) => e.kind === 'tamper-reverted')).toMatchObject({ toolUseId: bashCall.toolUseId });
    expect(existsSync(join(sb.repo, 'writer.js'))).toBe(true);
  }, 120_000);
});
