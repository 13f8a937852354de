import { describe, expect, it } from 'vitest';
import { isSecretName, secretVariableIn } from '../../src/policy/programs/secret-names.js';
import { dumpsEnvironment } from '../../src/policy/shell/inline-code.js';
import { loadedFiles } from '../../src/policy/shell/code-files.js';
import { textArg } from '../../src/policy/shell/words.js';
import { check, WS } from '../helpers.js';

describe('variables named like secrets', () => {
  it.each([
    'GITHUB_TOKEN',
    'AWS_SECRET_ACCESS_KEY',
    'DB_PASSWORD',
    'STRIPE_API_KEY',
    'NPM_AUTH',
    'GITHUBTOKEN',
    'MYSQL_PWD',
    'GH_PAT',
    'SECRET_KEY_BASE',
    'BASIC_AUTH',
    'DBPASSWORD',
    'JWT_SECRET',
  ])('%s is one', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'HOME',
    'PATH',
    'PWD',
    'OLDPWD',
    'PORT',
    'SSH_AUTH_SOCK',
    'GOOGLE_APPLICATION_CREDENTIALS_FILE',
    'KEYBOARD',
    'TOKEN_URL',
    'DESKTOP_SESSION',
    'AWS_ACCESS_KEY_ID',
    'NEXT_PUBLIC_FIREBASE_AUTH_DOMAIN',
    'TOKENIZERS_PARALLELISM',
    'SIGNING_KEY_ALIAS',
    'COOKIE_DOMAIN',
  ])('%s is not', (name) => {
    expect(isSecretName(name)).toBe(false);
  });

  it('finds them in a word as the shell would expand them', () => {
    expect(secretVariableIn('Authorization: Bearer ${GITHUB_TOKEN:-x}')).toBe('GITHUB_TOKEN');
    expect(secretVariableIn('http://localhost:$PORT/$HOME')).toBeNull();
  });
});

describe('code that dumps the environment', () => {
  it.each([
    ['node', 'console.log(process.env)'],
    ['node', 'Object.keys(process.env).forEach((k) => console.log(k))'],
    ['python', 'import os; print(dict(os.environ))'],
    ['python', 'import os\nfor k in os.environ: print(k)'],
    ['ruby', 'ENV.each { |k, v| puts "#{k}=#{v}" }'],
    ['perl', 'print join("\\n", %ENV)'],
    ['php', 'var_dump($_ENV);'],
  ] as const)('%s: %s', (language, code) => {
    expect(dumpsEnvironment(language, code)).toBe(true);
  });

  it.each([
    ['node', 'console.log(process.env.HOME)'],
    ['node', "spawnSync('npm', ['test'], { env: { ...process.env, CI: '1' } })"],
    ['python', 'import os; print(os.environ["HOME"], os.environ.get("USER"))'],
    ['python', 'import os, subprocess; subprocess.run(["make"], env=os.environ.copy()); print("done")'],
    ['ruby', 'puts ENV.fetch("RAILS_ENV")'],
  ] as const)('not %s: %s', (language, code) => {
    expect(dumpsEnvironment(language, code)).toBe(false);
  });
});

describe('files tools load as code', () => {
  it('names them per tool and subcommand', () => {
    const matches = (name: string, args: string[], path: string): boolean =>
      loadedFiles(
        name,
        args.map((a) => textArg(a)),
      ).some((l) => l.path.test(path));
    expect(matches('pytest', [], `${WS}/tests/conftest.py`)).toBe(true);
    expect(matches('cargo', ['build'], `${WS}/build.rs`)).toBe(true);
    expect(matches('cargo', ['fmt'], `${WS}/build.rs`)).toBe(false);
    expect(matches('jest', [], `${WS}/jest.config.ts`)).toBe(true);
    expect(matches('npm', ['test'], `${WS}/vitest.config.mts`)).toBe(true);
    expect(matches('npm', ['install'], `${WS}/.npmrc`)).toBe(true);
    expect(matches('go', ['build'], `${WS}/gen.go`)).toBe(false);
  });

  it('judges only what this command line wrote, where the tool runs', () => {
    expect(check('echo \'import os; os.system("rm -rf ~")\' > conftest.py && pytest', WS).verdict).toBe('deny');
    expect(check('echo \'import os; os.system("rm -rf ~")\' > /tmp/elsewhere/conftest.py && pytest', WS).verdict).toBe('allow');
    expect(check('pytest -q', WS).verdict).toBe('allow');
  });
});

describe('pushes as the remote settings make them', () => {
  it.each([
    ["git config remote.origin.push '+refs/heads/*:refs/heads/*' && git push", 'deny'],
    ['git config remote.origin.mirror true && git push', 'deny'],
    ['git -c remote.origin.mirror=true push origin', 'deny'],
    ['git config remote.upstream.mirror true; git push origin main', 'ask'],
    ['git remote set-url --push origin https://x.example.test/r.git && git push origin', 'ask'],
  ] as const)('%s', (cmd, verdict) => {
    expect(check(cmd, WS).verdict).toBe(verdict);
  });
});
