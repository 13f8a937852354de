import { z } from 'zod';
import { compileLinearRegex, RegexRefusal } from './regex.js';
import { TAGS } from './types.js';

/**
 * The rule format, as one zod schema: the config loader validates with it, and the engine's
 * RuleSpec type is derived from it.
 */
export const verdictSchema = z.enum(['allow', 'ask', 'deny']).describe('allow runs the call, ask needs a human, deny refuses it');
const verdict = verdictSchema;
const op = z.enum(['read', 'write', 'delete']);
const tag = z.enum(TAGS);
const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const exampleSchema = z.union([
  z.string().min(1).describe('a shell command'),
  z.object({ command: z.string().min(1), cwd: z.string().optional() }).strict(),
  z.object({ path: z.string().min(1), op }).strict(),
]);

export const ruleIdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');

export const ruleSchema = z
  .object({
    id: ruleIdSchema.describe('unique id, shown with every decision the rule makes'),
    decision: verdict,
    reason: z.string().min(1).describe('told to the agent (and the human): what was refused and what to do instead'),
    command: z
      .union([stringOrList, z.record(z.string().min(1), stringOrList)])
      .optional()
      .describe(
        'command names (basename after wrappers are removed), e.g. "git"; or each program with its own subcommands: {"aws": ["s3 rm"], "gsutil": ["rm"]}',
      ),
    subcommand: stringOrList.optional().describe('positional words after global options, each entry one sequence, e.g. ["stash drop", "stash clear"]'),
    flags: z
      .union([
        z.array(z.string().min(1)),
        z
          .object({ any: z.array(z.string().min(1)).optional(), all: z.array(z.string().min(1)).optional(), none: z.array(z.string().min(1)).optional() })
          .strict(),
      ])
      .optional()
      .describe('flags; a list means any of them; short flags also match inside clusters like -rf'),
    args: z.array(z.string().min(1)).optional().describe('globs; the rule matches when any argument matches one'),
    argsRegex: z
      .string()
      .min(1)
      .optional()
      .describe(
        'case-insensitive regular expression over the arguments and heredoc/here-string text; run in linear time, so backreferences, lookbehinds and unbounded lookaheads are refused',
      ),
    paths: z.array(z.string().min(1)).optional().describe('globs; relative ones are inside the workspace; ~, {workspace}, {home}, {state}, {config} expand'),
    except: z.array(z.string().min(1)).optional().describe('globs excluded from paths'),
    ops: z.array(op).optional().describe('which file operations the path rule covers (default: all)'),
    recursive: z.boolean().optional().describe('path rule applies only to recursive operations (rm -r, cp -r, chmod -R)'),
    location: z.enum(['inside', 'outside']).optional().describe('path rule applies only inside / outside the workspace'),
    tag: tag.optional().describe('matches commands the analysis tagged, e.g. code-from-network'),
    examples: z
      .object({ match: z.array(exampleSchema).optional(), notMatch: z.array(exampleSchema).optional() })
      .strict()
      .optional()
      .describe('checked by `harness rules test`'),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const kinds = [rule.command !== undefined, rule.paths !== undefined, rule.tag !== undefined].filter(Boolean).length;
    if (kinds !== 1) ctx.addIssue({ code: 'custom', message: 'a rule needs exactly one of "command", "paths" or "tag"' });
    if (rule.paths === undefined && (rule.ops || rule.except || rule.recursive !== undefined || rule.location)) {
      ctx.addIssue({ code: 'custom', message: '"ops", "except", "recursive" and "location" only apply to path rules' });
    }
    if (typeof rule.command === 'object' && !Array.isArray(rule.command) && rule.subcommand !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['subcommand'], message: 'with "command" naming each program\'s subcommands, "subcommand" is not used' });
    }
    if (rule.command === undefined && (rule.subcommand || rule.flags || rule.args || rule.argsRegex)) {
      ctx.addIssue({ code: 'custom', message: '"subcommand", "flags", "args" and "argsRegex" only apply to command rules' });
    }
    if (rule.argsRegex !== undefined) {
      // Refused here, at load, rather than at the first command: what cannot run in linear time.
      try {
        compileLinearRegex(rule.argsRegex, { ignoreCase: true });
      } catch (e) {
        if (!(e instanceof RegexRefusal)) throw e;
        ctx.addIssue({ code: 'custom', path: ['argsRegex'], message: e.message });
      }
    }
  });

export type RuleSpec = z.infer<typeof ruleSchema>;
export type Example = z.infer<typeof exampleSchema>;
