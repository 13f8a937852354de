import { Box, Text } from 'ink';
import { useKeys } from './use-keys.js';

/** A short message that stays until a key is pressed or it times out (the controller decides). */
export function Notice({ text, onDismiss }: { text: string; onDismiss: () => void }) {
  useKeys(() => onDismiss());
  return (
    <Box flexDirection="column">
      <Text bold color="yellow">
        harness
      </Text>
      <Text> </Text>
      <Text color="red">{text}</Text>
      <Text> </Text>
      <Text color="gray">any key: back to the agent</Text>
    </Box>
  );
}
