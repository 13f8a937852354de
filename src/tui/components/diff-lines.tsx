import { Box, Text } from 'ink';
import type { DiffLine } from '../../line-diff.js';
import { DIFF_STYLE, styled } from './theme.js';

/** Diff lines, one terminal row each (long lines are cut, not wrapped, so the layout holds). */
export function DiffLines({ lines, width }: { lines: DiffLine[]; width: number }) {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => {
        const style = DIFF_STYLE[line.kind];
        return (
          <Text key={i} {...styled(style.color, style.bold)} wrap="truncate-end">
            {(style.prefix + line.text).replace(/\t/g, '    ').slice(0, Math.max(1, width))}
          </Text>
        );
      })}
    </Box>
  );
}
