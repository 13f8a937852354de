import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeAdapter } from '../../src/agents/claude.js';
import { redact } from '../../src/audit/redact.js';
import { findSecrets, secretsAdded } from '../../src/secrets/scan.js';
import { guardSecrets, SECRET_RULE } from '../../src/session/hook/secret-guard.js';

// real formats, fake values (assembled here so no scanner mistakes this file for a leak)
const FAKE = {
  'aws-access-key': 'AKIA' + 'Z7QX3MBV5KD2PLWN',
  'github-token': 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
  'gitlab-token': 'glpat-' + 'x9Y8w7V6u5T4s3R2q1P0',
  'slack-token': 'xoxb-' + '2048-4096-ZyXwVuTsRqPo',
  'stripe-key': 'sk_live_' + '51Hq8ZkLmNoPqRsTuVwXyZ',
  'anthropic-key': 'sk-ant-' + 'api03-Qw3rTy8uIo9pAs5dFg7hJk',
  'openai-key': 'sk-proj-' + 'Zx8Cv7Bn6Mq5Wr4Et3Yu2Io1Pa',
  'google-api-key': 'AIza' + 'SyD4f8Gh2Jk9Lm3Np7Qr1St5Uv0Wx6Yz2Ab',
  'npm-token': 'npm_' + 'Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78',
  'sendgrid-key': 'SG.' + 'aBcDeFgHiJkLmNoPqR.sTuVwXyZ0123456789ab',
  jwt: 'eyJ' + 'hbGciOiJIUzI1NiJ9.eyJ' + 'zdWIiOiIxMjM0NTY3ODkwIn0.' + 'dozjgNryP4J3jVmNHl0w5N',
  'private-key': '-----BEGIN ' + 'OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----',
} as const;

describe('secrets: real formats are found, and never stored or shown', () => {
  it.each(Object.entries(FAKE))('%s', (kind, value) => {
    const text = `config = "${value}"\n`;
    expect(findSecrets(text).map((s) => s.kind)).toContain(kind);
    expect(redact(text)).not.toContain(value.slice(8, 20));
    expect(redact(text)).toContain('[REDACTED:');
  });

  it.each([
    ['random value assigned to *_SECRET', 'CLIENT_SECRET=9fK2mQ8xZ4vN7bL1wR5tY3uP', ['secret-assignment']],
    ['random value in a quoted *_TOKEN', `API_TOKEN: "Hq7Lp2Zx9Vb4Nm8Kc3Wr6Ty1"`, ['secret-assignment']],
    ['password in a URL', 'postgres://app:Xk9Lm2Qp7Zr4@db.internal:5432/app', ['url-password']],
  ])('%s', (_, text, kinds) => {
    expect(findSecrets(text).map((s) => s.kind)).toEqual(kinds);
  });

  it.each([
    ['a placeholder', 'PASSWORD=changeme'],
    ['an environment reference', 'API_TOKEN=${API_TOKEN}'],
    ['a file reference', 'TOKEN_FILE=./secrets/token.txt'],
    ['a low-entropy value', 'SECRET_KEY=aaaaaaaaaaaaaaaaaaaaaaaa'],
    ['a short value', 'AUTH=true'],
    ['ordinary code', 'const token = getToken();\nfunction apiKey() { return process.env.KEY; }'],
    ['a git sha', 'commit 9fceb02d0ae598e95dc970b74767f19372d61af8'],
  ])('not a secret: %s', (_, text) => {
    expect(findSecrets(text)).toEqual([]);
  });

  it('a write adds only what the file did not already hold', () => {
    const key = FAKE['aws-access-key'];
    expect(secretsAdded('', `AWS_KEY_ID=${key}`)).toEqual(['aws-access-key']);
    expect(secretsAdded(`old: ${key}`, `new: ${key}`)).toEqual([]);
  });

  it('bounded on huge input', () => {
    expect(findSecrets('A'.repeat(5_000_000)).length).toBe(0);
  });
});

describe('the write guard', () => {
  const ws = mkdtempSync(join(tmpdir(), 'harness-secrets-'));
  writeFileSync(join(ws, 'has-key.env'), `KEY=${FAKE['stripe-key']}\n`);
  const allow = { verdict: 'allow' as const, ruleId: null, reason: 'ok', mutates: true, hits: [], commands: [] };
  const event = (tool: string, input: Record<string, unknown>) => claudeAdapter.toToolEvent({ tool_name: tool, tool_input: input, cwd: ws }, ws);

  it.each([
    [
      'Write with a provider token',
      event('Write', { file_path: join(ws, 'config.ts'), content: `export const key = '${FAKE['github-token']}';` }),
      'github-token',
    ],
    ['Edit adding a private key', event('Edit', { file_path: join(ws, 'a.txt'), old_string: 'x', new_string: FAKE['private-key'] }), 'private-key'],
    [
      'MultiEdit adding a JWT',
      event('MultiEdit', {
        file_path: join(ws, 'a.txt'),
        edits: [
          { old_string: 'a', new_string: 'b' },
          { old_string: 'c', new_string: `token=${FAKE.jwt}` },
        ],
      }),
      'jwt',
    ],
  ])('%s → ask, naming the kind and never the value', (_, e, kind) => {
    const d = guardSecrets(e, allow);
    expect(d).toMatchObject({ verdict: 'ask', ruleId: SECRET_RULE });
    expect(d.reason).toContain(kind);
    expect(d.reason).not.toMatch(/ghp_|BEGIN|eyJ/);
  });

  it.each([
    ['a secret the file already holds', event('Write', { file_path: join(ws, 'has-key.env'), content: `KEY=${FAKE['stripe-key']}\nDEBUG=1\n` })],
    ['no secret', event('Write', { file_path: join(ws, 'b.ts'), content: 'export const x = 1;' })],
    ['a shell command', event('Bash', { command: `echo ${FAKE['github-token']}` })],
  ])('%s → unchanged', (_, e) => {
    expect(guardSecrets(e, allow)).toBe(allow);
  });

  it('a deny stays a deny', () => {
    const deny = { ...allow, verdict: 'deny' as const, ruleId: 'x' };
    expect(guardSecrets(event('Write', { file_path: join(ws, 'c.ts'), content: FAKE['npm-token'] }), deny)).toBe(deny);
  });
});
