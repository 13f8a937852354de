import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bwrapAvailability } from '../../src/sandbox/bwrap.js';
import { openSandbox } from '../../src/sandbox/index.js';
import { sandboxRequest } from '../support/sandbox-request.js';

const NATIVE = new URL('../../dist/harness-sandbox-init', import.meta.url).pathname;
const hasExecve = typeof (process as { execve?: unknown }).execve === 'function';
const parent = mkdtempSync(join(homedir(), '.harness-wrapper-test-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/**
 * An agent installed as a Node script: it starts its real binary (a copy of node by another name,
 * as Codex's is a native program) as its child, or replaces itself with it, as Codex's npm
 * wrapper does on Node >= 22.15.
 */
const WRAPPER = `#!/usr/bin/env node
const { join } = require('path');
const [binary, real] = [join(__dirname, 'real-agent'), join(__dirname, 'real.cjs')];
if (process.argv[2] === 'exec') process.execve(binary, [binary, real, 'exec'], process.env);
else process.exitCode = require('child_process').spawnSync(binary, [real, 'child'], { stdio: 'inherit' }).status;
`;

/** The real binary: one request through the proxy of its own, one from a tool shell that execs a program. */
const REAL = String.raw`
const http = require('http'), cp = require('child_process');
const mode = process.argv[2];
const get = "require('http').get({host:'127.0.0.1',port:3128,path:'http://'+process.argv[1]+'/',agent:false},(x)=>{x.resume();x.on('end',()=>{})}).on('error',()=>{})";
http.get({ host: '127.0.0.1', port: 3128, path: 'http://' + mode + '-self.test/', agent: false }, (x) => {
  x.resume();
  x.on('end', () => cp.spawnSync('sh', ['-c', 'exec "$0" -e "$1" "$2"', process.execPath, get, mode + '-tool.test'], { stdio: 'inherit' }));
}).on('error', (e) => console.log('error ' + e.code));
`;

async function run(mode: 'child' | 'exec'): Promise<string[]> {
  const base = mkdtempSync(join(parent, 'run-'));
  const [ws, home, stateDir] = ['ws', 'home', 'state'].map((d) => join(base, d)) as [string, string, string];
  for (const d of [ws, home, stateDir]) mkdirSync(d);
  execFileSync('git', ['init', '-q'], { cwd: ws });
  writeFileSync(join(ws, 'agent'), WRAPPER);
  chmodSync(join(ws, 'agent'), 0o755);
  writeFileSync(join(ws, 'real.cjs'), REAL);
  copyFileSync(process.execPath, join(ws, 'real-agent'));
  chmodSync(join(ws, 'real-agent'), 0o755);
  const egress: string[] = [];
  const sandbox = await openSandbox(sandboxRequest({ workspace: ws, home, stateDir }, {}, egress));
  try {
    expect(sandbox.launcher).toBe('native');
    const { file, args } = sandbox.wrap(join(ws, 'agent'), [mode]);
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(file, args, { cwd: ws, env: { ...process.env, ...sandbox.env() }, stdio: 'ignore' });
      child.on('close', resolve);
    });
    expect(code).toBe(0);
    return egress.sort();
  } finally {
    await sandbox.close();
  }
}

describe.skipIf(!bwrapAvailability().ok || !existsSync(NATIVE))(
  "an agent installed as a script, as the launcher tells its own connections from its tools'",
  () => {
    it('a wrapper that starts the real binary as its child: the child is the agent, its tool is not', async () => {
      expect(await run('child')).toEqual(['child-self.test agent', 'child-tool.test other']);
    });

    // process.execve is Node >= 22.15 (CI runs this on Node 22 and 24): on Node 20 the wrappers do not exec
    it.skipIf(!hasExecve)('a wrapper that replaced itself with the real binary: a tool shell that execs a program is its tool, not the agent', async () => {
      expect(await run('exec')).toEqual(['exec-self.test agent', 'exec-tool.test other']);
    });
  },
);
