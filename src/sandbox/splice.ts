import type { Socket } from 'node:net';

/** Joins two sockets both ways; either one ending or failing ends both. */
export function splice(a: Socket, b: Socket): [Socket, Socket] {
  a.pipe(b);
  b.pipe(a);
  const end = (): void => {
    a.destroy();
    b.destroy();
  };
  for (const s of [a, b]) {
    s.on('error', end);
    s.on('close', end);
  }
  return [a, b];
}
