import type { ChangedPath } from '../../checkpoints/store.js';
import { listSome } from '../list-some.js';

/** What the agent is told after the person rolled the working tree back under it. */
export function rollbackNotice(checkpointId: string, changes: ChangedPath[], notRestored: string[] = []): string {
  const listed = listSome(
    changes.map((c) => `${c.path} (${c.status === 'added' ? 'restored' : c.status === 'deleted' ? 'removed' : 'reverted'})`),
    20,
  );
  return (
    `the person rolled the working tree back to harness checkpoint ${checkpointId.slice(0, 12)}` +
    (changes.length > 0 ? `; changed: ${listed}` : '; no file changed') +
    (notRestored.length > 0 ? `; left as they were: ${listSome(notRestored, 10)}` : '') +
    '. Files may no longer be as you last saw them: re-read before editing. This call was not run; repeat it if it is still needed.'
  );
}
