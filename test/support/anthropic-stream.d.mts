import type { ServerResponse } from 'node:http';

export function streamStep(res: ServerResponse, step: { tool: string; input: unknown } | { text: string }, at: { turn: number; id: string }): void;
