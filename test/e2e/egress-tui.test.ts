import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/store.js';
import { bwrapAvailability } from '../../src/sandbox/bwrap.js';
import { auditPathFor } from '../../src/workspace.js';
import { claudeTui, codexTui, geminiTui } from '../support/interactive-agents.js';
import { Internet } from '../support/internet.js';
import { Tmux } from '../support/tmux.js';

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

// `-i`: the status line shows in the tool result, so the refusal is seen as the proxy's 403
const CURL_A = 'curl -sS -i http://unknown-a.test/';
const CURL_B = 'curl -sS -i http://unknown-b.test/';

describe.runIf(Tmux.available() && bwrapAvailability().ok)("a connection to an unknown host, asked in harness's dialog over the real agent (tmux)", () => {
  it.each([claudeTui, codexTui, geminiTui])(
    "$name: y lets the connection through, n refuses it with a 403; both are logged as the person's answers",
    async (agent) => {
      const internet = new Internet();
      stops.push(() => internet.stop());
      await internet.start();
      const model = agent.model();
      stops.push(() => model.stop());
      const sb = agent.sandbox(await model.start());
      // harness's proxy chains to "the internet"; inside the sandbox the agent only has harness's proxy
      Object.assign(sb.env, internet.env());
      model.setScript([agent.shell(CURL_A), agent.shell(CURL_B), { text: 'all steps finished' }]);

      const tmux = new Tmux();
      stops.push(() => tmux.kill());
      await agent.start(tmux, sb, 'fetch the two pages');

      // 1: the dialog names the destination, the rule and the tool call it came from; the connection waits
      let screen = await tmux.waitFor('connect to unknown-a.test:80', 120_000);
      expect(screen).toContain('approval needed');
      expect(screen).toMatch(new RegExp(`${agent.name} wants to connect to unknown-a\\.test:80 \\(network\\)`));
      expect(screen).toMatch(/from\s+curl -sS -i http:\/\/unknown-a\.test\//);
      expect(screen).toContain('network.unknown');
      expect(internet.saw('unknown-a.test')).toBe(false);
      tmux.keys(['y']);

      // 2: the model's next request carries the page; the second host is asked about in turn
      screen = await tmux.waitFor('connect to unknown-b.test:80', 120_000);
      expect(screen).toMatch(/from\s+curl -sS -i http:\/\/unknown-b\.test\//);
      expect(internet.saw('unknown-a.test')).toBe(true);
      const first = agent.outputs(model);
      expect(first).toHaveLength(1);
      expect(first[0]).toContain('hello from unknown-a.test');
      tmux.keys(['n']);

      // 3: the refusal reaches curl as the proxy's 403, with harness's reason; nothing left the machine
      await tmux.waitFor('all steps finished', 120_000);
      const outputs = agent.outputs(model);
      expect(outputs).toHaveLength(2);
      expect(outputs[1]).toMatch(/403 Forbidden/);
      expect(outputs[1]).toMatch(/harness refused unknown-b\.test:80 \(network\.unknown\): the person refused it/);
      expect(outputs[1]).not.toContain('hello from');
      expect(internet.saw('unknown-b.test')).toBe(false);

      const log = AuditLog.open(auditPathFor(sb.repo, sb.env));
      try {
        const sessionId = log.latestSessionId()!;
        const calls = log.query({ sessionId });
        expect(calls.map((c) => [c.summary, c.verdict])).toEqual([
          [CURL_A, 'allow'],
          [CURL_B, 'allow'],
        ]);
        // the agents' own traffic (update checks, telemetry) is decided by rules; only these two were put to the person
        const all = log.connectionsOf(sessionId);
        const connections = all.filter((c) => c.host.startsWith('unknown-'));
        expect(all.filter((c) => c.asked)).toEqual(connections);
        expect(connections.map((c) => [c.host, c.port, c.verdict, c.asked, c.ruleId, c.decidedBy])).toEqual([
          ['unknown-a.test', 80, 'allow', true, 'network.unknown', 'human'],
          ['unknown-b.test', 80, 'deny', true, 'network.unknown', 'human'],
        ]);
        // each is attributed to the tool call that was running, and to the person who answered
        expect(connections.map((c) => c.toolUseId)).toEqual(calls.map((c) => c.toolUseId));
        expect(connections[0]!.origin).toContain(CURL_A);
        expect(connections[1]!.origin).toContain(CURL_B);
        for (const c of connections) expect(c.actor).toBeTruthy();
      } finally {
        log.close();
      }
    },
    300_000,
  );
});
