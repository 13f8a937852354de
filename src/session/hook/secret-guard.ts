import { resolve } from 'node:path';
import type { ToolEvent } from '../../agents/tool-event.js';
import type { Decision } from '../../policy/index.js';
import { secretsAdded } from '../../secrets/scan.js';
import { readSmall } from './file-text.js';

export const SECRET_RULE = 'secrets.write-secret';

/**
 * A write or edit that adds a secret the file did not already hold (a private key, a provider
 * token, a random-looking value assigned to *_KEY/*_TOKEN/*_SECRET) needs the person: an allow
 * becomes ask, naming the kind of secret, never the value. Denials stay denials.
 */
export function guardSecrets(event: ToolEvent, decision: Decision): Decision {
  if ((event.kind !== 'write' && event.kind !== 'edit') || decision.verdict !== 'allow') return decision;
  const kinds = new Set<string>();
  for (const file of event.files) {
    const added = file.op === 'write' ? file.content : file.op === 'edit' ? file.edits.map((e) => e.newText).join('\n') : '';
    if (!added) continue;
    // the file is read only when the new text holds a secret
    for (const kind of secretsAdded(() => readSmall(resolve(event.cwd, file.path)).text ?? '', added)) kinds.add(kind);
  }
  if (kinds.size === 0) return decision;
  return {
    ...decision,
    verdict: 'ask',
    ruleId: SECRET_RULE,
    reason: `This ${event.kind} adds a secret (${[...kinds].join(', ')}; the value is not shown). Secrets belong in the environment or a secret manager, not in files an agent writes; the user must confirm.`,
    mutates: true,
  };
}
