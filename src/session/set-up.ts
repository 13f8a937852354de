// What a session sets up while its agent starts (supervisor.ts loads this module after spawning
// the agent): the checkpoint store, the rules engine, the watcher, the control socket, the hook
// handler and the TUI's views (the audit log has its own import: a workspace's first session opens
// it before the agent starts). None of it is needed to start the agent, and loading it first would
// hold the agent back.
export { CheckpointStore } from '../checkpoints/store.js';
export { ControlServer } from './control.js';
export { SessionRollback } from './rollback/rollback.js';
export { panelSource } from './view/panel-source.js';
export { approvalView } from './view/approval-view.js';
export { LivePolicy, sessionProcessRules } from './live-policy.js';
export { SessionGuard } from './guard/guard.js';
export { PeriodicCheckpoints } from './rollback/periodic.js';
export { createHookHandler } from './hook/hook-handler.js';
export { NetworkGate } from './guard/network-gate.js';
export { freezeTree } from './process/freeze.js';
