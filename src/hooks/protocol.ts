/** The wire contract between hook clients (or an agent's http hook) and the supervisor. */
export const TOKEN_HEADER = 'x-harness-token';
export const VERDICT_HEADER = 'x-harness-verdict';
export const EXIT_HEADER = 'x-harness-exit';
/** Largest hook payload accepted (a Write of a big file is the largest legitimate one). */
export const MAX_BODY = 32 * 1024 * 1024;

export type HookEvent = 'pre' | 'post';

export function hookPath(agent: string, event: HookEvent): string {
  return `/hook/${agent}/${event}`;
}

/** What the supervisor answers; the client prints `body` and exits `exitCode`. */
export interface HookReply {
  verdict: 'allow' | 'ask' | 'deny' | 'none';
  body: string;
  exitCode: number;
}
