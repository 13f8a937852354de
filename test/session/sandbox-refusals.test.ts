import { describe, expect, it } from 'vitest';
import { sandboxRefusals } from '../../src/session/hook/post-tool.js';

describe('sandbox refusals are logged', () => {
  it.each([
    ["rm: cannot remove '/home/x/data/a': Read-only file system\n", 1],
    ['{"stdout":"touch: cannot touch \'/x\': Read-only file system\\nok","stderr":""}', 1],
    ['curl: (56) CONNECT tunnel failed, response 403 Forbidden harness: x:443 is not an allowed host', 1],
    ['all fine\nnothing refused\n', 0],
  ])('%j → %d', (text, n) => {
    expect(sandboxRefusals(text)).toHaveLength(n);
  });
});
