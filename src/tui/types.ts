// the view types are the core's (src/session/views.ts): the TUI renders what the session exports
export type * from '../session/views.js';
