import { describe, expect, it } from 'vitest';
import { locationOf } from '../../src/policy/paths.js';

const ctx = {
  workspace: '/home/dev/project',
  home: '/home/dev',
  stateDir: '/home/dev/.local/state/harness/p',
  scratch: ['/tmp', '/var/tmp', '/tmp/agent-tmp'],
};

describe('locationOf: the workspace, scratch space, or outside', () => {
  it.each([
    ['/home/dev/project/src/a.ts', ctx, 'inside'],
    ['/tmp/build', ctx, 'scratch'],
    ['/tmp/build/deep/x', ctx, 'scratch'],
    ['/var/tmp/cache', ctx, 'scratch'],
    ['/tmp/agent-tmp/x', ctx, 'scratch'],
    // the temp dir itself, and what other programs keep at its top
    ['/tmp', ctx, 'outside'],
    ['/tmp/.X11-unix', ctx, 'outside'],
    ['/tmp/.X11-unix/X0', ctx, 'outside'],
    ['/tmp/tmux-1000/default', ctx, 'outside'],
    ['/tmp/ssh-abc/agent.1', ctx, 'outside'],
    ['/tmp/systemd-private-123-x', ctx, 'outside'],
    ['/tmp/harness-hooks-x/hooks.sock', ctx, 'outside'],
    // HOME or harness's state under a temp dir is not scratch
    ['/tmp/home/dev/x', { ...ctx, home: '/tmp/home/dev' }, 'outside'],
    ['/tmp/home', { ...ctx, home: '/tmp/home/dev' }, 'outside'],
    ['/tmp/state/audit.db', { ...ctx, stateDir: '/tmp/state' }, 'outside'],
    ['/tmp/other', { ...ctx, home: '/tmp/home/dev' }, 'scratch'],
    // nothing else
    ['/etc/passwd', ctx, 'outside'],
    ['/home/dev/notes.txt', ctx, 'outside'],
    ['/tmpfoo/x', ctx, 'outside'],
    ['/tmp/x', { ...ctx, scratch: [] }, 'outside'],
    ['/x', { ...ctx, scratch: ['/'] }, 'outside'],
  ] as const)('%s', (path, c, expected) => {
    expect(locationOf(path, c)).toBe(expected);
  });
});
