import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { gitArgs, gitProcessEnv, type GitEnv } from './git.js';

interface Pending {
  records: number;
  out: string[];
  resolve: (records: string[]) => void;
  reject: (error: Error) => void;
}

/**
 * A long-running git command that answers one request per input record (`hash-object
 * --stdin-paths`, `check-ignore --stdin`, `update-ref --stdin`): no process start per file or ref.
 * Started on first use; if it dies, pending requests fail with git's last message and the next
 * request starts a new one. Idle, the process and its pipes keep nobody alive (a `harness rollback`
 * ends when its work does); busy, they do.
 */
export class GitPipe {
  private child: ChildProcessWithoutNullStreams | null = null;
  private buffer = '';
  private readonly pending: Pending[] = [];
  private stderr = '';

  constructor(
    private readonly env: GitEnv,
    private readonly args: string[],
    /** Separator of input and output records. */
    private readonly separator: '\n' | '\0',
    /** Output records per input record. */
    private readonly recordsPerInput: number,
  ) {}

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn('git', gitArgs(this.args), { cwd: this.env.workTree, env: gitProcessEnv(this.env), stdio: ['pipe', 'pipe', 'pipe'] });
    // byte strings both ways: names that are not UTF-8 pass unchanged
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    child.stdin.on('error', () => undefined);
    const fail = (why: string): void => {
      if (this.child !== child) return;
      this.child = null;
      this.buffer = '';
      const error = new Error(`git ${this.args[0]} ${why}: ${this.stderr.trim().split('\n').pop() ?? ''}`);
      this.stderr = '';
      for (const p of this.pending.splice(0)) p.reject(error);
    };
    child.on('error', (e) => fail(e.message));
    // 'close', not 'exit': git's message on stderr is in by then
    child.on('close', (code) => fail(`exited (${code})`));
    return child;
  }

  private hold(child: ChildProcessWithoutNullStreams, busy: boolean): void {
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as { ref?: () => void; unref?: () => void }[]) {
      if (busy) handle.ref?.();
      else handle.unref?.();
    }
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let at: number;
    while (this.pending.length > 0 && (at = this.buffer.indexOf(this.separator)) >= 0) {
      const head = this.pending[0]!;
      head.out.push(this.buffer.slice(0, at));
      this.buffer = this.buffer.slice(at + 1);
      if (head.out.length === head.records) {
        this.pending.shift();
        if (this.pending.length === 0 && this.child) this.hold(this.child, false);
        head.resolve(head.out);
      }
    }
  }

  /**
   * Sends `inputs` (byte strings; none may contain the separator) and resolves with their output
   * records: `records` of them (by default recordsPerInput for each input).
   */
  request(inputs: string[], records = inputs.length * this.recordsPerInput): Promise<string[]> {
    if (inputs.length === 0) return Promise.resolve([]);
    if (inputs.some((i) => i.includes(this.separator) || (this.separator === '\n' && (i.includes('\0') || i.startsWith('"'))))) {
      return Promise.reject(new Error('a path git cannot take on this channel'));
    }
    const child = (this.child ??= this.start());
    this.hold(child, true);
    return new Promise((resolve, reject) => {
      this.pending.push({ records, out: [], resolve, reject });
      child.stdin.write(Buffer.from(inputs.map((i) => i + this.separator).join(''), 'latin1'));
    });
  }

  close(): void {
    const child = this.child;
    this.child = null;
    for (const p of this.pending.splice(0)) p.reject(new Error('closed'));
    child?.stdin.end();
  }
}

/**
 * `git check-ignore --stdin` kept running: which byte paths git's ignore rules exclude (leading
 * directories included; a `!` rule that matches un-ignores). It reads the rules when it starts:
 * close it after they change, the next request starts afresh.
 */
export class IgnoreCheck {
  private readonly pipe: GitPipe;

  constructor(env: GitEnv) {
    this.pipe = new GitPipe(env, ['check-ignore', '--stdin', '-z', '-v', '-n', '--no-index'], '\0', 4);
  }

  async ignored(paths: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    // "./" keeps a name like ":!x" from reading as pathspec magic; git answers with the path as given
    const records = await this.pipe.request(paths.map((p) => `./${p}`));
    for (let i = 0; i + 3 < records.length; i += 4) if (records[i] && !records[i + 2]!.startsWith('!')) out.add(records[i + 3]!.slice(2));
    return out;
  }

  close(): void {
    this.pipe.close();
  }
}
