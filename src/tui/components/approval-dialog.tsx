import { Box, Text } from 'ink';
import { useKeys, useLiveState } from './use-keys.js';
import type { ApprovalChoice, ApprovalPreview, ApprovalView } from '../types.js';
import { DiffLines } from './diff-lines.js';
import { ShellCommand } from './shell-command.js';
import { useNow } from './use-now.js';

export interface ApprovalDialogProps {
  view: ApprovalView;
  /** How many approvals wait, this one included. */
  waiting: number;
  /** A line about what just happened (e.g. the previous approval timed out). */
  notice?: string | null | undefined;
  columns: number;
  rows: number;
  onAnswer: (id: string, choice: ApprovalChoice) => void;
}

const KEYS: [string, string][] = [
  ['y', 'allow once'],
  ['a', 'allow for this session'],
  ['n', 'deny'],
  ['e', 'deny with a message'],
  ['?', 'help'],
];

function Field({ name, children }: { name: string; children: React.ReactNode }) {
  return (
    <Box>
      <Box width={9} flexShrink={0}>
        <Text color="gray">{name}</Text>
      </Box>
      <Box flexGrow={1}>{children}</Box>
    </Box>
  );
}

function what(view: ApprovalView): string {
  switch (view.kind) {
    case 'shell':
      return 'run a shell command';
    case 'write':
    case 'edit':
      return `${view.kind} ${view.target ?? 'a file'}`;
    case 'read':
    case 'search':
      return `read ${view.target ?? 'files'}`;
    case 'fetch':
      return 'reach the network';
    case 'network':
      return `connect to ${view.target}`;
    case 'config':
      return `know whether to apply the changed ${view.target}`;
    case 'mcp':
    case 'other':
      return `use ${view.tool}`;
  }
}

/** What the call would do, under the line that says who wants it: the command, or the change to a file. */
function Details({ view, room, width }: { view: ApprovalView; room: number; width: number }) {
  switch (view.kind) {
    case 'shell':
      return (
        <>
          <ShellCommand command={view.command} maxLines={Math.max(2, Math.min(12, room))} />
          {view.normalized.length > 0 ? (
            <Box flexDirection="column">
              <Text color="gray">harness read it as:</Text>
              {view.normalized.slice(0, 3).map((c, i) => (
                <Text key={i} color="gray" wrap="truncate-end">
                  {'  '}
                  {c}
                </Text>
              ))}
            </Box>
          ) : null}
        </>
      );
    case 'write':
    case 'edit':
    case 'config':
      return <Preview preview={view.preview} room={room} width={width} />;
    default:
      return null;
  }
}

function Preview({ preview, room, width }: { preview: ApprovalPreview; room: number; width: number }) {
  if (preview.lines.length === 0 && !preview.note) return null;
  return (
    <Box flexDirection="column" borderStyle="single" borderColor="gray" paddingX={1}>
      {preview.note ? <Text color="gray">{preview.note}</Text> : null}
      <DiffLines lines={preview.lines.slice(0, room)} width={width - 4} />
      {preview.lines.length > room ? <Text color="gray">… {preview.lines.length - room} more lines</Text> : null}
    </Box>
  );
}

/**
 * The approval dialog: what the agent wants, why harness asks, and one key to answer. Typing
 * any other letter starts a message that goes to the agent with the refusal.
 */
export function ApprovalDialog({ view, waiting, notice, columns, rows, onAnswer }: ApprovalDialogProps) {
  const now = useNow();
  const [message, setMessage, currentMessage] = useLiveState<string | null>(null);
  const [help, setHelp, currentHelp] = useLiveState(false);
  const left = Math.max(0, Math.ceil((view.deadline - now) / 1000));

  useKeys((input, key) => {
    const message = currentMessage();
    if (message !== null) {
      if (key.escape) return setMessage(null);
      if (key.return) return onAnswer(view.id, { verdict: 'deny', message: message.trim() || undefined });
      if (key.backspace || key.delete) return setMessage(message.slice(0, -1));
      if (!key.ctrl && !key.meta && input) setMessage((message + input).replace(/[\x00-\x1f\x7f]/g, '').slice(0, 500));
      return;
    }
    if (currentHelp()) return setHelp(false);
    if (input === 'y') return onAnswer(view.id, { verdict: 'allow', remember: false });
    if (input === 'a') return onAnswer(view.id, { verdict: 'allow', remember: true });
    if (input === 'n' || key.escape || (key.ctrl && input === 'c')) return onAnswer(view.id, { verdict: 'deny' });
    if (input === '?') return setHelp(true);
    if (input === 'e') return setMessage('');
    // any other letter starts the message
    if (!key.ctrl && !key.meta && /^[A-Za-z]/.test(input)) setMessage(input.replace(/[\x00-\x1f\x7f]/g, ''));
  });

  const width = Math.max(20, columns);
  const normalized = view.kind === 'shell' ? view.normalized.length : 0;
  const fixed = 13 + (normalized > 0 ? 1 + Math.min(normalized, 3) : 0) + (notice ? 1 : 0);
  const room = Math.max(3, rows - fixed);

  if (help) {
    return (
      <Box flexDirection="column" width={width}>
        <Text bold color="yellow">
          harness · answering an approval
        </Text>
        <Text> </Text>
        <Text> y allow {view.kind === 'network' ? 'this connection' : 'this call'} once</Text>
        <Text>
          {' '}
          a allow it and the same {view.kind === 'network' ? 'destination' : 'call'} again for the rest of this session ({view.sessionScope});
        </Text>
        <Text> shown as a session rule in the panel, where it can be revoked</Text>
        <Text> n deny (also Esc, Ctrl-C)</Text>
        <Text> e deny with a message; any other letter also starts one. Enter sends it to the agent, Esc goes back</Text>
        <Text> </Text>
        <Text> With no answer in time harness denies the call. Answers are recorded in the audit log (harness log).</Text>
        <Text> </Text>
        <Text color="gray">any key: back to the approval</Text>
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={width}>
      <Box justifyContent="space-between">
        <Text bold color="yellow">
          harness · approval needed
        </Text>
        <Text color={waiting > 1 ? 'yellow' : 'gray'}>{waiting > 1 ? `1 of ${waiting} waiting` : ''}</Text>
      </Box>
      {notice ? <Text color="red">{notice}</Text> : null}
      <Text> </Text>
      <Text>
        <Text bold>{view.agent}</Text> wants to {what(view)} <Text color="gray">({view.tool})</Text>
      </Text>
      <Text> </Text>
      <Details view={view} room={room} width={width} />
      <Text> </Text>
      {view.kind === 'network' ? (
        <Field name="from">
          <Text wrap="truncate-end">{view.origin}</Text>
        </Field>
      ) : (
        <Field name="cwd">
          <Text wrap="truncate-middle">{view.cwd}</Text>
        </Field>
      )}
      <Field name="rule">
        <Text color="yellow">{view.ruleId ?? '(no rule: the default)'}</Text>
      </Field>
      <Field name="reason">
        <Text>{view.reason}</Text>
      </Field>
      <Text> </Text>
      {message !== null ? (
        <Box flexDirection="column">
          <Text>
            Deny, and tell the agent: <Text inverse>{message || ' '}</Text>
          </Text>
          <Text color="gray">Enter sends · Esc goes back</Text>
        </Box>
      ) : (
        <Text>
          {KEYS.map(([k, label]) => (
            <Text key={k}>
              <Text bold inverse>
                {` ${k} `}
              </Text>{' '}
              {label}
              {'   '}
            </Text>
          ))}
        </Text>
      )}
      <Text color={left <= 10 ? 'red' : 'gray'}>denied automatically in {left}s if nobody answers</Text>
    </Box>
  );
}
