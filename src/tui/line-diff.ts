// moved to src/line-diff.ts: the session builds previews and step diffs with it, and the core does not import tui/
export * from '../line-diff.js';
