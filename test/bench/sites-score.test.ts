import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import type { SimSite } from '../../src/collect/sim/web/index.ts';
import { scoreAlerts, scoreCaptures, verdictAlerts, type ScoredCapture } from '../../bench/sites/score.ts';
import { fingerprint, visibleText } from '../../bench/sites/baseline.ts';

const M = 60_000;
const site = (id: string, phases: SimSite['phases']): SimSite => ({ id, name: id, kind: 'gov', lang: 'zh', charset: 'utf-8', ownPort: false, phases });

describe('bench/sites scoring', () => {
  const a = site('gov-001', [
    { from: 0, state: { kind: 'normal', edition: 0 } },
    { from: 12 * M, state: { kind: 'injected', edition: 0, how: 'links', spam: 'gambling' } },
    { from: 31 * M, state: { kind: 'normal', edition: 0 } },
    { from: 46 * M, state: { kind: 'normal', edition: 1 } },
  ]);
  const b = site('gov-002', [
    { from: 0, state: { kind: 'normal', edition: 0 } },
    { from: 7 * M, state: { kind: 'gone', how: '404' } },
    // Over before any capture sees it.
    { from: 8 * M, state: { kind: 'down', how: '503' } },
    { from: 20 * M, state: { kind: 'normal', edition: 0 } },
  ]);
  const caps = (id: string, verdicts: string[]): ScoredCapture[] => verdicts.map((v, i) => ({ site: id, at: i * 10 * M, verdict: v as ScoredCapture['verdict'] }));
  // Captures at 0, 10, 20, 30, 40, 50 min.
  const captures = [
    ...caps('gov-001', ['reachable', 'reachable', 'injected', 'injected', 'updated', 'defaced']),
    ...caps('gov-002', ['reachable', 'down', 'injected', 'reachable', 'reachable', 'reachable']),
  ];

  it('scores the first capture after each change, counts the unseen ones, and the false verdicts on normal pages', () => {
    const s = scoreCaptures([a, b], captures);
    assert.deepEqual(s.results.map((r) => [r.change.site, r.change.label, r.verdict, r.right]), [
      ['gov-002', 'taken down (404)', null, false],
      ['gov-002', 'down (503)', 'down', true],
      ['gov-001', 'injected (links, gambling)', 'injected', true],
      ['gov-002', 'recovered from down', 'injected', false],
      ['gov-001', 'recovered from injected', 'updated', true],
      ['gov-001', 'ordinary update', 'defaced', false],
    ]);
    assert.equal(s.right, 3);
    assert.equal(s.scored, 5);
    assert.equal(s.missed, 1);
    assert.equal(s.updatesDefaced, 1);
    assert.equal(s.confusion.get('reachable|updated')?.get('injected'), 1);
    assert.deepEqual(s.byLabel.get('ordinary update'), [0, 1]);
    // Normal-state captures: gov-001 at 0, 10, 40, 50; gov-002 at 0, 20, 30, 40, 50.
    assert.equal(s.normalCaptures, 9);
    assert.equal(s.normalDefacedOrInjected, 2);
    assert.equal(s.normalUnhealthy, 2);
  });

  it('counts alerts against real changes of the true class', () => {
    const ours = scoreAlerts([a, b], captures, verdictAlerts);
    // gov-001: alerts at 20 (real), 40 (real), 50 (false: an ordinary update called defaced).
    // gov-002: alerts at 10 (real: down), 20 (healthy again, but injected: an alert, real change), 30 (false: injected → reachable, nothing changed).
    assert.deepEqual(ours, { truePositives: 4, falseAlarms: 2, missed: 0 });
    const always = scoreAlerts([a, b], captures, () => true);
    assert.equal(always.falseAlarms, 10 - 4);
  });
});

describe('bench/sites change-monitoring baseline', () => {
  it('compares the visible text, decoded by the labelled charset, scripts and styles left out', () => {
    const html = '<html><head><title>青河 政府</title><style>p{}</style></head><body><p>今天是 2026年1月5日</p><script>var x=1</script><p>访客 12,345</p></body></html>';
    const gbk = iconv.encode(html, 'gbk');
    assert.equal(visibleText(gbk, 'text/html; charset=gb2312'), '青河 政府 今天是 2026年1月5日 访客 12,345');
    const other = iconv.encode(html.replace('12,345', '12,346').replace('var x=1', 'var x=2'), 'gbk');
    const ans = (body: Uint8Array) => ({ kind: 'answer' as const, status: 200, contentType: 'text/html; charset=gb2312', body });
    assert.notEqual(fingerprint(ans(gbk), false), fingerprint(ans(other), false));
    assert.equal(fingerprint(ans(gbk), true), fingerprint(ans(other), true));
    assert.notEqual(fingerprint({ kind: 'failure', code: 'timeout' }, true), fingerprint(ans(gbk), true));
  });
});
