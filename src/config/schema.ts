import { z } from 'zod';
import { ARGS_GLOB, globProblem, PATHS_GLOB } from '../policy/globs.js';
import { ruleIdSchema as ruleId, ruleSchema, verdictSchema as verdict } from '../policy/rule-schema.js';
import { DEFAULT_PANEL_KEY, parseHotkey } from '../keys.js';

/**
 * A rule of the user's config: globs become regexes too (picomatch's), matched on the same
 * linear-time engine, so what cannot run in bounded time is refused here. (The built-in packs are
 * checked by their tests, not at every start.)
 */
const userRuleSchema = ruleSchema.superRefine((rule, ctx) => {
  // alternatives are separate entries: `["stash drop", "stash clear"]`, not "stash drop|clear"
  const subcommands =
    typeof rule.command === 'object' && !Array.isArray(rule.command)
      ? Object.entries(rule.command).flatMap(([c, subs]) => [subs].flat().map((x) => [['command', c], x] as const))
      : [rule.subcommand ?? []].flat().map((x, i) => [['subcommand', i], x] as const);
  for (const [path, sub] of subcommands) {
    if (sub.includes('|'))
      ctx.addIssue({
        code: 'custom',
        path: [...path],
        message: `"${sub}": write each alternative as its own entry (${sub
          .split(/\s+/)
          .map((w) => w.split('|'))
          .reduce<string[]>((acc, alts) => acc.flatMap((a) => alts.map((x) => `${a} ${x}`.trim())), [''])
          .map((x) => JSON.stringify(x))
          .join(', ')}), not with "|"`,
      });
  }
  for (const [field, options] of [
    ['args', ARGS_GLOB],
    ['paths', PATHS_GLOB],
    ['except', PATHS_GLOB],
  ] as const) {
    (rule[field] ?? []).forEach((glob, i) => {
      const problem = globProblem(glob, options);
      if (problem) ctx.addIssue({ code: 'custom', path: [field, i], message: problem });
    });
  }
});

const strictVerdict = z.enum(['ask', 'deny']);

export const defaultsSchema = z
  .object({
    shell: verdict.optional().describe('a shell command no rule speaks about'),
    read: verdict.optional().describe('reading a file inside the workspace'),
    write: verdict.optional().describe('writing a file inside the workspace'),
    delete: verdict.optional().describe('deleting a file inside the workspace'),
    outsideWorkspace: z.object({ read: verdict.optional(), write: verdict.optional(), delete: verdict.optional() }).strict().optional(),
    fetch: verdict.optional().describe('web fetch / search tools'),
    mcp: verdict.optional().describe('MCP tool calls'),
    other: verdict.optional().describe('any other tool'),
    onParseError: strictVerdict.optional().describe('a command that does not parse: ask or deny, never allow'),
    onLimit: strictVerdict.optional().describe('a command too large or nested to analyze: ask or deny, never allow'),
  })
  .strict();

export const approvalsSchema = z
  .object({
    timeoutSeconds: z.number().int().min(5).max(86_400).optional().describe('how long an ask waits for a human before it becomes deny (default 300)'),
    whenNoTty: z.enum(['allow', 'deny']).optional().describe('how an ask resolves when nobody can be asked (no terminal: CI, pipes); default deny'),
  })
  .strict();

export const auditSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .optional()
      .describe("where the audit database lives (default: harness's state directory, outside the working tree); relative paths are relative to the workspace"),
  })
  .strict();

export const checkpointsSchema = z
  .object({
    enabled: z.boolean().optional().describe('take a checkpoint before every mutating tool call (default true)'),
    maxFileMB: z
      .number()
      .positive()
      .max(1_000_000)
      .optional()
      .describe('files larger than this many MiB are left out of checkpoints, with a warning (default 50)'),
  })
  .strict();

export const tuiSchema = z
  .object({
    panelKey: z
      .string()
      .superRefine((key, ctx) => {
        try {
          parseHotkey(key);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      })
      .optional()
      .describe(`the key that opens the harness panel over the agent (default "${DEFAULT_PANEL_KEY}"); ctrl-<letter> or ctrl-] ctrl-\\ ctrl-^ ctrl-_`),
  })
  .strict();

export const watcherSchema = z
  .object({
    restore: z
      .enum(['harness', 'all', 'none'])
      .optional()
      .describe(
        'which protected files harness puts back when they change behind its back: its own (config, hook settings; default), all (also agent settings, .git/hooks, .git/config), none',
      ),
  })
  .strict();

const hostPattern = z
  .string()
  .regex(
    /^(\*|(\*\.)?[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/,
    'a host name or IP address, optionally with a leading "*." and a ":port", e.g. "*.npmjs.org", "example.com:8443", "10.0.0.5:5432" or "[fd00::1]:443"',
  )
  .refine((h) => {
    const port = /:(\d+)$/.exec(h.replace(/^\[[^\]]*\]/, ''))?.[1];
    return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
  }, 'the port must be 1 to 65535');

export const hostRuleSchema = z
  .object({
    id: ruleId.describe('unique id, shown with every connection the rule decides'),
    host: z
      .union([hostPattern, z.array(hostPattern).min(1)], {
        error: 'a host pattern or a list of them, e.g. "paste.example.com" or ["*.corp.example", "10.0.0.5:5432"]',
      })
      .describe(
        'host patterns: "example.com", "*.example.com" (any subdomain), "*" (any name), an IP address; ":port" optional (without it, allow and ask mean ports 443 and 80, deny every port)',
      ),
    decision: verdict,
    reason: z.string().min(1).optional().describe('told to the agent (and the person) with the decision'),
  })
  .strict();

export const sandboxSchema = z
  .object({
    mode: z
      .enum(['auto', 'required', 'off'])
      .optional()
      .describe('auto: run the agent in the OS sandbox when this machine has one, else warn (default); required: refuse to start without it; off: no sandbox'),
    filesystem: z
      .object({
        allowWrite: z
          .array(z.string().min(1))
          .optional()
          .describe(
            "more paths the agent may write (~ expands; relative paths are in the workspace); everything outside the workspace, the temp dirs and the agent's own state is read-only",
          ),
        denyRead: z.array(z.string().min(1)).optional().describe('more paths the agent may not read, on top of the secret paths of the secrets pack'),
        allowRead: z.array(z.string().min(1)).optional().describe('secret paths the agent may read after all (e.g. "~/.npmrc")'),
      })
      .strict()
      .optional(),
    network: z
      .object({
        allowHosts: z
          .array(hostPattern)
          .optional()
          .describe("hosts the agent's processes may reach through harness's proxy, besides the agent's own API and the package registries"),
        allowLocalPorts: z
          .array(z.number().int().min(1).max(65535))
          .optional()
          .describe('ports of services on this machine (127.0.0.1) the agent may reach, e.g. a local database'),
        rules: z.array(hostRuleSchema).optional().describe("your network rules: they come before harness's defaults; the strictest rule that matches decides"),
        unknownHosts: strictVerdict.optional().describe('a host no rule speaks about: ask (default) or deny'),
      })
      .strict()
      .optional(),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    extends: z.array(z.string().min(1)).optional().describe('built-in rule packs to start from (default: ["recommended"])'),
    disable: z.array(ruleId).optional().describe('ids of pack rules to switch off'),
    rules: z.array(userRuleSchema).optional().describe('your own rules, added to the packs'),
    defaults: defaultsSchema.optional(),
    approvals: approvalsSchema.optional(),
    audit: auditSchema.optional(),
    checkpoints: checkpointsSchema.optional(),
    tui: tuiSchema.optional(),
    watcher: watcherSchema.optional(),
    sandbox: sandboxSchema.optional(),
  })
  .strict();

export const packSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().min(1),
    extends: z.array(z.string().min(1)).optional(),
    rules: z.array(ruleSchema),
  })
  .strict();

export type ConfigFile = z.infer<typeof configSchema>;
export type PackFile = z.infer<typeof packSchema>;
export type HostRuleFile = z.infer<typeof hostRuleSchema>;

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  // the loader takes comments and trailing commas (harness init writes them): editors that read these two keys do too
  return { ...schema, title: 'harness configuration', allowComments: true, allowTrailingCommas: true };
}
