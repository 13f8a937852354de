import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/store.js';
import { closeInterrupted, reapInterrupted } from '../../src/session/process/interrupted.js';
import { processIdentity, stillRunning } from '../../src/session/process/liveness.js';
import { auditPathFor, runtimeDirFor } from '../../src/workspace.js';

const root = mkdtempSync(join(tmpdir(), 'harness-liveness-'));
const previousState = process.env.HARNESS_STATE_DIR;
process.env.HARNESS_STATE_DIR = join(root, 'state');
afterAll(() => {
  if (previousState === undefined) delete process.env.HARNESS_STATE_DIR;
  else process.env.HARNESS_STATE_DIR = previousState;
  rmSync(root, { recursive: true, force: true });
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function sleeper(): ChildProcess {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

/** A process that ran and is gone (reaped), and the identity it had. */
async function deadProcess(): Promise<{ pid: number; identity: string | null }> {
  const child = spawn('sh', ['-c', 'read line'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const identity = processIdentity(child.pid!);
  const exited = new Promise((r) => child.once('exit', r));
  child.stdin.end('\n');
  await exited;
  return { pid: child.pid!, identity };
}

describe('a supervisor is told by its pid and its start time', () => {
  it('a running process is itself; once it is gone it is not; a pid with another start time is another process', async () => {
    const live = sleeper();
    const identity = processIdentity(live.pid!);
    expect(identity).toMatch(new RegExp(`^${live.pid}:[0-9a-f-]+:\\d+$`));
    expect(stillRunning(live.pid!, identity)).toBe(true);
    // the same pid, recorded when another process held it (a reused pid): not the one recorded
    const [pid, boot] = identity!.split(':');
    expect(stillRunning(live.pid!, `${pid}:${boot}:1`)).toBe(false);
    // recorded in an earlier boot of the machine
    expect(stillRunning(live.pid!, `${pid}:another-boot:${identity!.split(':')[2]}`)).toBe(false);
    const dead = await deadProcess();
    expect(stillRunning(dead.pid, dead.identity)).toBe(false);
    expect(stillRunning(0, null)).toBe(false);
    expect(stillRunning(-1, null)).toBe(false);
  });
});

describe('closeInterrupted on a real audit log', () => {
  it('closes the sessions of dead and impostor supervisors, keeps the live one, and removes only their runtime directories', async () => {
    const workspace = join(root, 'repo');
    mkdirSync(workspace, { recursive: true });
    const log = AuditLog.open(auditPathFor(workspace));
    const dead = await deadProcess();
    const live = sleeper();
    const liveId = processIdentity(live.pid!)!;
    const sessions = {
      dead: { pid: dead.pid, supervisor: dead.identity },
      // a live pid, but recorded with another start time: the supervisor died and its pid was reused
      impostor: { pid: live.pid!, supervisor: `${liveId.split(':').slice(0, 2).join(':')}:1` },
      live: { pid: live.pid!, supervisor: liveId },
    };
    for (const [id, s] of Object.entries(sessions)) {
      log.startSession({ id, agent: 'claude', workspace, argv: [], configPath: null, version: 'test', ...s });
      mkdirSync(runtimeDirFor(workspace, id), { recursive: true });
    }
    // a session that ended, whose runtime directory a failed release left behind
    log.startSession({ id: 'ended', agent: 'claude', workspace, argv: [], configPath: null, version: 'test' });
    log.endSession('ended', 0);
    mkdirSync(runtimeDirFor(workspace, 'ended'), { recursive: true });
    // a directory the log does not know (another log's session) stays
    mkdirSync(runtimeDirFor(workspace, 'unknown'), { recursive: true });

    const closed = closeInterrupted(log, workspace);
    expect(closed.sort()).toEqual(['dead', 'impostor']);
    expect(log.openSessions().map((s) => s.id)).toEqual(['live']);
    expect(log.eventsOf('dead').map((e) => e.kind)).toEqual(['interrupted']);
    expect(log.summary('impostor')).toMatchObject({ exitCode: null });
    expect(log.summary('impostor')!.endedAt).not.toBeNull();
    expect(existsSync(runtimeDirFor(workspace, 'dead'))).toBe(false);
    expect(existsSync(runtimeDirFor(workspace, 'impostor'))).toBe(false);
    expect(existsSync(runtimeDirFor(workspace, 'ended'))).toBe(false);
    expect(existsSync(runtimeDirFor(workspace, 'live'))).toBe(true);
    expect(existsSync(runtimeDirFor(workspace, 'unknown'))).toBe(true);
    log.close();

    // what every command runs first: the live one is still left alone, and a second pass changes nothing
    live.kill('SIGKILL');
    await new Promise((r) => live.once('exit', r));
    expect(reapInterrupted(workspace, auditPathFor(workspace))).toEqual(['live']);
    expect(reapInterrupted(workspace, auditPathFor(workspace))).toEqual([]);
    expect(existsSync(runtimeDirFor(workspace, 'live'))).toBe(false);
  });

  it('a log that does not exist yet is not created by it', () => {
    const workspace = join(root, 'nothing-yet');
    expect(reapInterrupted(workspace, auditPathFor(workspace))).toEqual([]);
    expect(existsSync(auditPathFor(workspace))).toBe(false);
  });
});
