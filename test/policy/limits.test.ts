import { describe, expect, it } from 'vitest';
import { check } from '../helpers.js';

/** Inputs built to be slow, deep or huge: each must end in a verdict that is never a silent allow. */
const hostile: [string, () => string][] = [
  ['1 MB of statements', () => 'echo hello world; '.repeat(60_000)],
  ['10,000 nested $(', () => '$('.repeat(10_000) + 'x' + ')'.repeat(10_000)],
  ['10,000 nested subshells', () => '('.repeat(10_000) + 'ls' + ')'.repeat(10_000)],
  ['nested bash -c', () => Array.from({ length: 15 }).reduce<string>((inner) => `bash -c ${JSON.stringify(inner)}`, 'rm -rf ~')],
  ['100,000 backticks', () => '`'.repeat(100_000)],
  ['50,000 ${', () => '${'.repeat(50_000)],
  ['quoted $( soup', () => '"$("'.repeat(50_000)],
  ['an unterminated heredoc swallowing 20,000 heredoc starts', () => 'cat <<EOF\n'.repeat(20_000)],
  ['brace bomb', () => 'rm ' + '{a,b}'.repeat(40)],
  ['long eval chain', () => 'eval '.repeat(20_000) + 'ls'],
];

describe('bounded work on hostile input', () => {
  it.each(hostile)('%s', (_name, make) => {
    const d = check(make());
    expect(['allow', 'ask', 'deny']).toContain(d.verdict);
    if (d.verdict === 'allow') expect(d.ruleId).toBeNull();
  });

  it('never allows a limit hit or a parse failure', () => {
    for (const [name, make] of hostile.slice(0, 7)) {
      const d = check(make());
      expect(d.verdict, name).not.toBe('allow');
    }
  });

  it('a 1 MB quoted heredoc body is analyzed, not refused', () => {
    const d = check(`cat > notes.md <<'EOF'\n${'text line with $dollar and `tick`\n'.repeat(20_000)}EOF`);
    expect(d.verdict).toBe('allow');
  });

  it('nested shells deeper than the cap still find the deny when it is reachable', () => {
    expect(check(`bash -c "bash -c 'rm -rf ~'"`).verdict).toBe('deny');
  });
});
