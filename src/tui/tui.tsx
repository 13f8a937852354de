import { ApprovalDialog } from './components/approval-dialog.js';
import { Notice } from './components/notice.js';
import { Panel } from './components/panel.js';
import { InkHost } from './ink-host.js';
import type { SessionUi, Surface } from '../session/views.js';
import type { ApprovalChoice, ApprovalView, PanelSource } from './types.js';

export type { Surface };

/** How long a notice (e.g. "timed out, denied") stays when nothing else is waiting. */
const NOTICE_MS = 3000;

/** What an approval was about, in a few words: its command, its file or host, else its tool. */
function subject(view: ApprovalView): string {
  switch (view.kind) {
    case 'shell':
      return view.command;
    case 'write':
    case 'edit':
    case 'read':
    case 'search':
      return view.target ?? view.tool;
    case 'network':
    case 'config':
      return view.target;
    default:
      return view.tool;
  }
}

interface Pending {
  view: ApprovalView;
  answer: (choice: ApprovalChoice) => void;
}

/**
 * The TUI's state machine: approvals queue up and are shown one at a time; the panel opens on
 * the hotkey; the overlay is open exactly while there is something to show. The core reaches it
 * only through `ask`/`withdraw` (correlated by id) and `openPanel`.
 */
export class Tui implements SessionUi {
  private queue: Pending[] = [];
  private panelOpen = false;
  private notice: { text: string; timer: NodeJS.Timeout } | null = null;
  private host: InkHost | null = null;
  private lastFrame = '';
  private shown = false;
  /** The overlay is giving the screen back; showing again waits for that. */
  private closing: Promise<void> | null = null;

  constructor(
    private readonly surface: Surface,
    private readonly panel: PanelSource,
    private readonly hotkey: string,
  ) {}

  /** Whether harness has the screen (keys go to `input`, not to the agent). */
  get active(): boolean {
    return this.shown;
  }

  ask(view: ApprovalView): Promise<ApprovalChoice> {
    return new Promise((answer) => {
      this.queue.push({ view, answer });
      this.update();
    });
  }

  /** The core answered without the person (timeout, session end): take the approval down and say so. */
  withdraw(id: string, why: string): void {
    const index = this.queue.findIndex((p) => p.view.id === id);
    if (index < 0) return;
    const [gone] = this.queue.splice(index, 1);
    if (index === 0) this.setNotice(`${why}: ${subject(gone!.view)}`);
    this.update();
  }

  /** Tells the person something at once (a notice over the agent until a key or a few seconds). */
  notify(text: string): void {
    this.setNotice(text);
    this.update();
  }

  /** A yes/no question in the approval dialog's form: y (or a) is yes. */
  async confirm(view: ApprovalView): Promise<boolean> {
    return (await this.ask(view)).verdict === 'allow';
  }

  openPanel(): void {
    this.panelOpen = true;
    this.update();
  }

  input(keys: string): void {
    this.host?.input(keys);
  }

  resize(): void {
    if (!this.host) return;
    this.host.resize(this.surface.size());
    this.lastFrame = '';
    this.update();
  }

  /** Takes everything down (the session is ending). */
  async stop(): Promise<void> {
    this.queue = [];
    this.panelOpen = false;
    if (this.notice) clearTimeout(this.notice.timer);
    this.notice = null;
    await this.hide();
  }

  private setNotice(text: string): void {
    if (this.notice) clearTimeout(this.notice.timer);
    this.notice = { text, timer: setTimeout(() => this.dismissNotice(), NOTICE_MS) };
  }

  private dismissNotice(): void {
    if (!this.notice) return;
    clearTimeout(this.notice.timer);
    this.notice = null;
    this.update();
  }

  private answer(id: string, choice: ApprovalChoice): void {
    const index = this.queue.findIndex((p) => p.view.id === id);
    if (index < 0) return;
    const [done] = this.queue.splice(index, 1);
    if (this.notice) clearTimeout(this.notice.timer);
    this.notice = null;
    this.update();
    done!.answer(choice);
  }

  private update(): void {
    const size = this.surface.size();
    const first = this.queue[0];
    const element = first ? (
      <ApprovalDialog
        key={first.view.id}
        view={first.view}
        waiting={this.queue.length}
        notice={this.notice?.text}
        columns={size.columns}
        rows={size.rows}
        onAnswer={(id, c) => this.answer(id, c)}
      />
    ) : this.panelOpen ? (
      <Panel source={this.panel} hotkey={this.hotkey} columns={size.columns} rows={size.rows} onClose={() => ((this.panelOpen = false), this.update())} />
    ) : this.notice ? (
      <Notice text={this.notice.text} onDismiss={() => this.dismissNotice()} />
    ) : null;
    if (!element) return void this.hide();
    if (this.closing) return void this.closing.then(() => this.update());
    if (!this.shown) {
      this.shown = true;
      this.lastFrame = '';
      void this.surface.open();
    }
    this.host ??= new InkHost(size, (frame) => {
      if (!this.shown || frame === this.lastFrame) return;
      this.lastFrame = frame;
      this.surface.paint(frame, this.surface.size());
    });
    this.host.show(element);
  }

  private hide(): Promise<void> {
    if (!this.shown) return this.closing ?? Promise.resolve();
    this.shown = false;
    this.host?.hide();
    this.host = null;
    const closing = this.surface.close().finally(() => {
      if (this.closing === closing) this.closing = null;
    });
    this.closing = closing;
    return closing;
  }
}

/** The TUI as `harness run` hands it to the session (see LoadUi). */
export function makeTui(surface: Surface, panel: PanelSource, panelKey: string): SessionUi {
  return new Tui(surface, panel, panelKey);
}
