import { useEffect } from 'react';
import { Box, Text } from 'ink';
import { useKeys, useLiveState } from './use-keys.js';
import type { DiffLine } from '../../line-diff.js';
import type { PanelSource, RollbackPreview, TimelineEntry } from '../types.js';
import { DiffLines } from './diff-lines.js';
import { clock, styled, VERDICT_COLOR } from './theme.js';
import { useNow } from './use-now.js';
import { displayLine } from '../../printable.js';

export interface PanelProps {
  source: PanelSource;
  hotkey: string;
  columns: number;
  rows: number;
  onClose: () => void;
}

type Mode =
  | { name: 'timeline' }
  | { name: 'diff'; entry: TimelineEntry; lines: DiffLine[] | null; top: number }
  | { name: 'confirm'; entry: TimelineEntry; preview: RollbackPreview | null }
  | { name: 'working'; what: string }
  | { name: 'rules'; selected: number }
  | { name: 'help' };

const EVENT_LABELS: Record<string, { label: string; color: string }> = {
  'out-of-band': { label: 'unexplained', color: 'yellow' },
  'tamper-reverted': { label: 'reverted', color: 'red' },
  'tamper-detected': { label: 'tampered', color: 'red' },
  'protected-changed': { label: 'protected', color: 'yellow' },
  'config-reloaded': { label: 'config', color: 'cyan' },
  'config-invalid': { label: 'bad config', color: 'red' },
  'config-change-kept': { label: 'config', color: 'cyan' },
  'session-rule-added': { label: 'rule +', color: 'green' },
  'session-rule-revoked': { label: 'rule −', color: 'yellow' },
};

/** How a step's outcome reads in the timeline. */
export function outcome(e: TimelineEntry): { label: string; color: string | undefined } {
  if (e.kind === 'rollback') return { label: 'rollback', color: 'magenta' };
  if (e.kind === 'checkpoint') return { label: 'checkpoint', color: 'magenta' };
  if (e.kind === 'event') return EVENT_LABELS[e.event] ?? { label: e.event.slice(0, 10), color: 'cyan' };
  if (e.verdict === null) return { label: 'waiting', color: 'yellow' };
  if (e.decidedBy === 'timeout') return { label: 'timed out', color: 'red' };
  if (e.decidedBy === 'session') return { label: 'allow·sess', color: 'green' };
  if (e.askedFirst) return e.verdict === 'allow' ? { label: 'approved', color: 'green' } : { label: 'refused', color: 'red' };
  if (e.decidedBy === 'fault') return { label: 'fault', color: 'red' };
  return { label: e.verdict, color: VERDICT_COLOR[e.verdict] };
}

/** What a line shows in its tool column: the call's tool, the event's kind, a mark for a rollback or a checkpoint. */
function label(e: TimelineEntry): string {
  switch (e.kind) {
    case 'call':
      return e.tool;
    case 'rollback':
      return '↺';
    case 'checkpoint':
      return '●';
    case 'event':
      return e.event;
  }
}

/** The gray line under the list for the selected step: a call's rule and reason, why a rollback or checkpoint failed, the call an event is attributed to. */
function detail(e: TimelineEntry): string | null {
  switch (e.kind) {
    case 'call':
      return e.ruleId || e.reason ? `${e.ruleId ? `${e.ruleId}: ` : ''}${e.reason ?? ''}` : null;
    case 'rollback':
    case 'checkpoint':
      return e.error;
    case 'event':
      return e.toolUseId ? `attributed to ${e.toolUseId}` : null;
  }
}

/** How many files a call or a rollback changed (the other lines change none themselves). */
const filesChanged = (e: TimelineEntry): number => (e.kind === 'call' || e.kind === 'rollback' ? e.filesChanged : 0);

/** Loads something for the view shown now; a result that arrives after the view changed is dropped. */
function useLoad<T>(load: (() => Promise<T>) | null, done: (value: T) => void, failed: (error: unknown) => void, deps: unknown[]): void {
  useEffect(() => {
    if (!load) return;
    let current = true;
    load().then(
      (value) => current && done(value),
      (error: unknown) => current && failed(error),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The harness panel: the session's timeline, the diff of any step, rollback to just before a
 * step (after a confirmation listing the files), undo of the last rollback, the session rules.
 */
export function Panel({ source, hotkey, columns, rows, onClose }: PanelProps) {
  useNow(1000);
  const entries = source.timeline();
  const [selected, setSelected, currentSelected] = useLiveState<number | null>(null);
  const [mode, setMode, currentMode] = useLiveState<Mode>({ name: 'timeline' });
  const [message, setMessage] = useLiveState<{ text: string; error: boolean } | null>(null);
  const selectedIndex = (s: number | null) => Math.min(s ?? entries.length - 1, entries.length - 1);
  const index = selectedIndex(selected);
  const current = index >= 0 ? entries[index] : undefined;
  const listRows = Math.max(3, rows - 6);

  const diffEntry = mode.name === 'diff' ? mode.entry : null;
  useLoad(
    diffEntry && (() => source.diff(diffEntry.id)),
    (lines) => setMode((m) => (m.name === 'diff' ? { ...m, lines } : m)),
    (error) => setMode((m) => (m.name === 'diff' ? { ...m, lines: [{ kind: 'note', text: `no diff: ${errorText(error)}` }] } : m)),
    [diffEntry, source],
  );

  const confirmEntry = mode.name === 'confirm' ? mode.entry : null;
  useLoad(
    confirmEntry && (() => source.planRollback(confirmEntry.id)),
    (preview) => setMode((m) => (m.name === 'confirm' ? { ...m, preview } : m)),
    (error) => {
      setMode({ name: 'timeline' });
      setMessage({ text: `cannot roll back: ${errorText(error)}`, error: true });
    },
    [confirmEntry, source],
  );

  const run = (what: string, work: () => Promise<string>): void => {
    setMode({ name: 'working', what });
    setMessage(null);
    work().then(
      (text) => {
        setMode({ name: 'timeline' });
        setSelected(null);
        setMessage({ text, error: false });
      },
      (error: unknown) => {
        setMode({ name: 'timeline' });
        setMessage({ text: `${what} failed: ${errorText(error)}`, error: true });
      },
    );
  };

  useKeys((input, key) => {
    const mode = currentMode();
    const index = selectedIndex(currentSelected());
    const current = index >= 0 ? entries[index] : undefined;
    const back = key.escape || input === 'q';
    switch (mode.name) {
      case 'working':
        return;
      case 'help':
        return setMode({ name: 'timeline' });
      case 'diff': {
        const total = mode.lines?.length ?? 0;
        const page = Math.max(1, rows - 4);
        const top = (t: number) => setMode({ ...mode, top: Math.max(0, Math.min(t, total - page)) });
        if (back || key.leftArrow || key.return) return setMode({ name: 'timeline' });
        if (key.downArrow || input === 'j') return top(mode.top + 1);
        if (key.upArrow || input === 'k') return top(mode.top - 1);
        if (key.pageDown || input === ' ') return top(mode.top + page);
        if (key.pageUp || input === 'b') return top(mode.top - page);
        return;
      }
      case 'confirm':
        if (input === 'y' || key.return) {
          if (!mode.preview) return;
          const entry = mode.entry;
          return run('rollback', async () => {
            const done = await source.rollback(entry.id);
            const left = done.notRestored.length ? ` · ${done.notRestored.length} left as they were` : '';
            return `rolled back to just before ${label(entry)} ${entry.summary.slice(0, 60)} (${done.checkpoint.slice(0, 12)}): ${done.changes.length} file(s) changed${left} · u undoes it`;
          });
        }
        if (input === 'n' || back) return setMode({ name: 'timeline' });
        return;
      case 'rules': {
        const rules = source.sessionRules();
        if (back || key.tab) return setMode({ name: 'timeline' });
        if (key.downArrow || input === 'j') return setMode({ name: 'rules', selected: Math.min(mode.selected + 1, rules.length - 1) });
        if (key.upArrow || input === 'k') return setMode({ name: 'rules', selected: Math.max(mode.selected - 1, 0) });
        const rule = rules[mode.selected];
        if ((input === 'x' || key.delete || key.backspace) && rule) {
          source.revokeRule(rule.id);
          setMessage({ text: `revoked: ${rule.description}`, error: false });
          return setMode({ name: 'rules', selected: Math.max(0, mode.selected - 1) });
        }
        return;
      }
      case 'timeline':
        if (back) return onClose();
        if (key.upArrow || input === 'k') return setSelected(Math.max(0, index - 1));
        if (key.downArrow || input === 'j') return setSelected(Math.min(entries.length - 1, index + 1));
        if (key.pageUp) return setSelected(Math.max(0, index - listRows));
        if (key.pageDown) return setSelected(Math.min(entries.length - 1, index + listRows));
        if (input === 'g') return setSelected(0);
        if (input === 'G') return setSelected(null);
        if (key.tab) return setMode({ name: 'rules', selected: 0 });
        if (input === '?') return setMode({ name: 'help' });
        if ((key.return || input === 'd') && current) return setMode({ name: 'diff', entry: current, lines: null, top: 0 });
        if (input === 'r' && current) {
          if (!current.checkpoint) return setMessage({ text: 'this step has no checkpoint before it (it changed nothing harness could see)', error: true });
          return setMode({ name: 'confirm', entry: current, preview: null });
        }
        if (input === 'u') {
          if (!source.canUndo()) return setMessage({ text: 'no rollback to undo in this session', error: true });
          return run('undo', async () => {
            const done = await source.undo();
            return done ? `undone: back to ${done.checkpoint.slice(0, 12)}, ${done.changes.length} file(s) changed` : 'nothing to undo';
          });
        }
        return;
    }
  });

  const status = source.status();
  const width = Math.max(20, columns);
  const header = (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          harness
        </Text>
        {` · ${status.agent} session ${status.sessionId.slice(0, 8)} · `}
        <Text color="green">{status.allowed} allowed</Text>
        {' · '}
        <Text color="yellow">{status.asked} asked</Text>
        {' · '}
        <Text color="red">{status.denied} denied</Text>
        {` · last checkpoint ${status.lastCheckpoint ? `${status.lastCheckpoint.id.slice(0, 8)} ${clock(status.lastCheckpoint.at)}` : 'none'}`}
      </Text>
      <Text color="gray">{'─'.repeat(Math.max(1, width - 1))}</Text>
    </Box>
  );
  const footer = (hint: string) => (
    <Box flexDirection="column">
      {message ? (
        <Text color={message.error ? 'red' : 'green'} wrap="truncate-end">
          {message.text}
        </Text>
      ) : null}
      <Text color="gray" wrap="truncate-end">
        {hint}
      </Text>
    </Box>
  );

  if (mode.name === 'help') {
    return (
      <Box flexDirection="column" width={width}>
        {header}
        <Text> ↑/↓ j/k select a step enter/d what the step changed (diff)</Text>
        <Text> r roll back to just before the selected step (asks first, lists the files)</Text>
        <Text> u undo the last rollback tab session rules (allowed with "a"; x revokes)</Text>
        <Text> q/Esc back to the agent {hotkey.padEnd(9)} opens this panel from the agent</Text>
        <Text> </Text>
        <Text color="gray">any key: back</Text>
      </Box>
    );
  }

  if (mode.name === 'diff') {
    const page = Math.max(1, rows - 4);
    const lines = mode.lines;
    return (
      <Box flexDirection="column" width={width}>
        {header}
        <Text bold wrap="truncate-end">
          what this step changed: {mode.entry.summary}
        </Text>
        {lines === null ? (
          <Text color="gray">reading the checkpoints…</Text>
        ) : lines.length === 0 ? (
          <Text color="gray">no file changed</Text>
        ) : (
          <DiffLines lines={lines.slice(mode.top, mode.top + page - 1)} width={width} />
        )}
        {footer(
          `↑/↓ scroll · space/b page · q back${lines && lines.length > page ? ` · lines ${mode.top + 1}-${Math.min(lines.length, mode.top + page - 1)} of ${lines.length}` : ''}`,
        )}
      </Box>
    );
  }

  if (mode.name === 'confirm') {
    const p = mode.preview;
    const shown = Math.max(1, rows - 8);
    return (
      <Box flexDirection="column" width={width}>
        {header}
        <Text bold wrap="truncate-end">
          Roll back to just before: {mode.entry.summary}
        </Text>
        {mode.entry.kind === 'call' && mode.entry.ok !== null && mode.entry.filesChanged === 0 ? (
          <Text color="gray">this call changed no file itself: only what came after it is undone</Text>
        ) : null}
        {p === null ? (
          <Text color="gray">working out which files would change…</Text>
        ) : (
          <Box flexDirection="column">
            <Text>
              checkpoint {p.checkpoint.slice(0, 12)} · {p.changes.length === 0 ? 'no file would change' : `${p.changes.length} file(s) will change:`}
            </Text>
            {p.changes.slice(0, shown).map((c, i) => (
              <Text key={i} wrap="truncate-end">
                {'  '}
                <Text color={c.status === 'added' ? 'green' : c.status === 'deleted' ? 'red' : 'yellow'}>
                  {c.status === 'added' ? 'restore' : c.status === 'deleted' ? 'remove ' : 'revert '}
                </Text>{' '}
                {c.path}
              </Text>
            ))}
            {p.changes.length > shown ? <Text color="gray"> … {p.changes.length - shown} more</Text> : null}
            {p.notRestored.slice(0, 3).map((n, i) => (
              <Text key={`left-${i}`} color="yellow" wrap="truncate-end">
                {'  '}left as it is: {n}
              </Text>
            ))}
            {p.notRestored.length > 3 ? <Text color="gray"> … {p.notRestored.length - 3} more left as they are</Text> : null}
          </Box>
        )}
        {footer(p ? 'y roll back (the present is checkpointed first, u undoes) · n cancel' : 'n cancel')}
      </Box>
    );
  }

  if (mode.name === 'working') {
    return (
      <Box flexDirection="column" width={width}>
        {header}
        <Text color="yellow">{mode.what}: waiting for running tool calls to finish, then restoring…</Text>
      </Box>
    );
  }

  if (mode.name === 'rules') {
    const rules = source.sessionRules();
    return (
      <Box flexDirection="column" width={width}>
        {header}
        <Text bold>session rules (allowed with "a" in an approval; they end with the session)</Text>
        {rules.length === 0 ? <Text color="gray">none</Text> : null}
        {rules.map((r, i) => (
          <Text key={r.id} inverse={i === mode.selected} wrap="truncate-end">
            {` ${clock(r.addedAt)}  ${r.description}`}
          </Text>
        ))}
        {footer('↑/↓ select · x revoke · tab/q back to the timeline')}
      </Box>
    );
  }

  const start = Math.max(0, Math.min(index - Math.floor(listRows / 2), entries.length - listRows));
  const visible = entries.slice(start, start + listRows);
  return (
    <Box flexDirection="column" width={width}>
      {header}
      {entries.length === 0 ? <Text color="gray">no tool calls yet</Text> : null}
      {visible.map((e, i) => {
        const o = outcome(e);
        const chosen = start + i === index;
        const files = filesChanged(e);
        const right = e.checkpoint ? ` ● ${e.checkpoint.slice(0, 7)}${files ? ` ${files} file${files === 1 ? '' : 's'}` : ''}` : '';
        return (
          <Box key={e.id} width={width}>
            <Box flexGrow={1} flexShrink={1}>
              <Text inverse={chosen} wrap="truncate-end">
                {chosen ? '▸ ' : '  '}
                {clock(e.at)} <Text {...styled(o.color)}>{o.label.padEnd(10)}</Text> {displayLine(label(e)).padEnd(6)} {displayLine(e.summary)}
              </Text>
            </Box>
            <Text color="magenta">{right}</Text>
          </Box>
        );
      })}
      {current && detail(current) ? (
        <Text color="gray" wrap="truncate-end">
          {detail(current)}
        </Text>
      ) : null}
      {footer('↑/↓ select · enter diff · r roll back to before this step · u undo rollback · tab session rules · ? help · q back')}
    </Box>
  );
}
