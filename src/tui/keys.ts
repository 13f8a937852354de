// moved to src/keys.ts: config and the session parse hotkeys too, and the core does not import tui/
export * from '../keys.js';
