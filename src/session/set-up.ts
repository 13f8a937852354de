// What a session sets up while its agent starts (supervisor.ts loads this module after spawning
// the agent): the checkpoint store, the rules engine, the watcher, the control socket, the hook
// handler and the TUI's views (the audit log has its own import: a workspace's first session opens
// it before the agent starts). None of it is needed to start the agent, and loading it first would
// hold the agent back.
export { CheckpointStore } from '../checkpoints/store.js';
export { ControlServer } from './control.js';
export { SessionRollback } from './rollback.js';
export { panelSource } from './panel-source.js';
export { approvalView } from './approval-view.js';
export { LivePolicy, sessionProcessRules } from './live-policy.js';
export { SessionGuard } from './guard.js';
export { PeriodicCheckpoints } from './periodic.js';
export { createHookHandler } from './hook-handler.js';
export { NetworkGate } from './network-gate.js';
export { freezeTree } from './freeze.js';
