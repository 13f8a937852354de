import { Text } from 'ink';
import { highlightShell } from '../highlight.js';
import { styled, TOKEN_COLOR } from './theme.js';

/** A shell command with its parts coloured; at most `maxLines` lines. */
export function ShellCommand({ command, maxLines }: { command: string; maxLines: number }) {
  const lines = command.split('\n');
  const shown = lines.length > maxLines ? lines.slice(0, maxLines).join('\n') : command;
  return (
    <Text>
      <Text bold>$ </Text>
      {highlightShell(shown).map((t, i) => (
        <Text key={i} {...styled(TOKEN_COLOR[t.style], t.style === 'command')}>
          {t.text}
        </Text>
      ))}
      {lines.length > maxLines ? <Text color="gray">{`\n… ${lines.length - maxLines} more lines`}</Text> : null}
    </Text>
  );
}
