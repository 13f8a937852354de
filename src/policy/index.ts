export * from './types.js';
export { decide, compilePolicy, DEFAULT_DEFAULTS, type Policy, type PolicyDefaults, type RuleSource } from './engine.js';
export type { RuleSpec, Example } from './rules.js';
export { CONCERNS } from './concerns.js';
export { analyzeShell, DEFAULT_LIMITS, type ShellLimits, type ShellAnalysis } from './shell/analyze.js';
