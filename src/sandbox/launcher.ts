/**
 * The first process inside the sandbox when the native one (hooks/harness-sandbox-init.c) could
 * not be compiled. It opens the only doors out of the sandbox's empty network: for each door it
 * listens on 127.0.0.1 and forwards to a Unix socket harness serves outside, the session's key
 * first; then it runs the agent and exits with its code. Killing it ends the whole sandbox, so a
 * door cannot be taken over by a process of the agent's.
 *
 * usage: node launcher.js DOORS_DIR -- PROGRAM [ARGS...]
 * DOORS_DIR/launch holds the key and the doors (see Doors.writeLaunch); the supervisor deletes it
 * when this process proves it read it on DOORS_DIR/hello. Unlike the native launcher this one
 * cannot check who connects (every door admits any process), and a Node process cannot make
 * itself non-dumpable: the agent's processes could read the key from its memory.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { splice } from './splice.js';

/** The signal numbers: only this platform's signals are there, though the type names every signal. */
const SIGNALS: Partial<Record<NodeJS.Signals, number>> = constants.signals;

interface Launch {
  key: string;
  doors: { port: number; socket: string; tagged: boolean }[];
}

function fail(message: string): never {
  process.stderr.write(`harness sandbox: ${message}\n`);
  process.exit(125);
}

function readLaunch(dir: string): Launch {
  let text: string;
  try {
    text = readFileSync(join(dir, 'launch'), 'utf8');
  } catch (e) {
    fail(`cannot read the launch file: ${(e as Error).message}`);
  }
  const launch: Launch = { key: '', doors: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const key = /^key ([0-9a-fA-F]{64})$/.exec(line);
    const door = /^door (\d+) (\/.*) (any|agent|hook-client|tagged)$/.exec(line);
    if (key) launch.key = key[1]!;
    else if (door) launch.doors.push({ port: Number(door[1]), socket: door[2]!, tagged: door[3] === 'tagged' });
    else if (!line.startsWith('hook-client ') && !/^agent (wrapper|binary)$/.test(line)) fail('unknown line in the launch file');
  }
  if (!launch.key) fail('no key in the launch file');
  return launch;
}

/** Proves to the supervisor that this process read the launch file; it deletes the file, then answers. */
function hello(dir: string, key: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(join(dir, 'hello'));
    let reply = '';
    const timer = setTimeout(() => fail('the supervisor did not answer: timed out'), 10_000);
    socket.on('error', (e) => fail(`cannot reach the supervisor: ${e.message}`));
    socket.on('data', (d) => (reply += d.toString()));
    socket.on('end', () => {
      clearTimeout(timer);
      if (reply !== 'ok\n') fail('the supervisor refused the launcher');
      resolve();
    });
    socket.write(`${key}\n`);
  });
}

async function main(): Promise<void> {
  const [dir, dashes, file, ...args] = process.argv.slice(2);
  if (!dir || dashes !== '--' || !file) fail('usage: launcher.js DOORS_DIR -- PROGRAM [ARGS...]');
  const launch = readLaunch(dir);
  await hello(dir, launch.key);
  await Promise.all(
    launch.doors.map(
      (door) =>
        new Promise<void>((resolve, reject) => {
          const server = createServer((client) => {
            const up = connect(door.socket);
            // a tagged door wants to know who connected: this launcher cannot tell
            up.write(door.tagged ? `${launch.key}\nfrom unknown\n` : `${launch.key}\n`);
            splice(client, up);
          });
          server.once('error', reject);
          server.listen(door.port, '127.0.0.1', () => resolve());
        }),
    ),
  ).catch((e: unknown) => fail(`cannot open the sandbox's network: ${(e as Error).message}`));
  const child = spawn(file, args, { stdio: 'inherit' });
  // Ctrl-C reaches the whole foreground group: it is the agent's to handle
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const) process.on(signal, () => void child.kill(signal));
  child.once('error', (e) => fail(`cannot start ${file}: ${e.message}`));
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (SIGNALS[signal] ?? 1) : 1)));
}

void main();
