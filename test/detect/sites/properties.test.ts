/**
 * Property-based checks (fast-check): any mix of boilerplate changes and ordinary edits of a page
 * never reads as defaced or injected; injecting a hidden spam-link block, hidden in any of the
 * ways SEO spam hides, anywhere in the page, always reads as injected.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SiteRun, T0, answer, govPage } from './pages.ts';
import { SPAM_TERMS } from '../../../src/detect/sites/markers.ts';

const HEADLINES = ['县政府召开第十二次常务会议', '关于做好今冬明春森林防火工作的通知', '2026年全县粮食生产再获丰收', '县委书记调研乡村振兴工作',
  '关于公开征求《城市管理条例》意见的公告', '清河县召开安全生产工作会议', '全县秋冬季疫情防控工作部署会召开', '关于2026年度预算公开的说明',
  '县人大常委会召开第三十次会议', '清河县举办农民丰收节活动', 'County council approves new school budget', '关于开展扫黑除恶专项斗争的通告'];

const edit = fc.oneof(
  fc.record({ op: fc.constant('add' as const), text: fc.constantFrom(...HEADLINES), at: fc.nat(10) }),
  fc.record({ op: fc.constant('remove' as const), at: fc.nat(10) }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(10), to: fc.nat(10) }),
  fc.record({ op: fc.constant('number' as const), text: fc.constantFrom(...HEADLINES), n: fc.integer({ min: 1, max: 99_999 }), at: fc.nat(10) }),
);

type Edit = { op: string; text?: string; at: number; to?: number; n?: number };

function apply(news: string[], e: Edit): string[] {
  const out = [...news];
  const i = news.length ? e.at % news.length : 0;
  if (e.op === 'add') out.splice(i, 0, e.text!);
  else if (e.op === 'remove' && out.length > 2) out.splice(i, 1);
  else if (e.op === 'swap' && out.length) { const j = e.to! % out.length; [out[i], out[j]] = [out[j]!, out[i]!]; }
  else if (e.op === 'number') out.splice(i, 0, `${e.text} (第${e.n}期)`);
  return out.slice(0, 12);
}

const HIDERS = ['style="display:none"', 'style="visibility: hidden"', 'style="position:absolute; left:-5000px"', 'style="font-size:0"', 'hidden',
  'style="height:0;overflow:hidden"', 'class="lnk"', 'style="text-indent:-9999px;overflow:hidden"', 'style="opacity:0"'];
const GAMBLING = SPAM_TERMS.filter((t) => t.strong).map((t) => t.term);

describe('properties', () => {
  it('boilerplate changes and ordinary edits never give defaced or injected', () => {
    fc.assert(fc.property(fc.array(fc.array(edit, { maxLength: 4 }), { minLength: 1, maxLength: 8 }), fc.nat(1000), (steps, v0) => {
      const run = new SiteRun();
      let news = HEADLINES.slice(0, 5);
      run.visit(answer(govPage({ visit: v0, news }), { at: T0 }));
      steps.forEach((edits, k) => {
        for (const e of edits) news = apply(news, e);
        const c = run.visit(answer(govPage({ visit: v0 + k + 1, news }), { at: T0 + (k + 1) * 60_000 }));
        assert.ok(c.verdict === 'reachable' || c.verdict === 'updated', `${c.verdict}: ${c.reasons.join(' | ')}`);
      });
    }), { numRuns: 150 });
  });

  it('a hidden spam-link block, hidden any way and placed anywhere, always gives injected', () => {
    fc.assert(fc.property(
      fc.constantFrom(...HIDERS), fc.integer({ min: 1, max: 20 }), fc.array(fc.constantFrom(...GAMBLING), { minLength: 1, maxLength: 6 }),
      fc.constantFrom('body-start', 'body-end', 'news', 'footer'), fc.nat(500), fc.boolean(),
      (hider, n, terms, where, v, wrapped) => {
        const run = new SiteRun();
        run.visit(answer(govPage({ visit: v }), { at: T0 }));
        run.visit(answer(govPage({ visit: v + 1 }), { at: T0 + 60_000 }));
        const links = Array.from({ length: n }, (_, i) => `<a href="http://s${i}.spam${v}.example/">${terms[i % terms.length]}</a>`).join('');
        // Hidden on the block itself, or on an ancestor with the links one level down.
        const block = (hider === 'class="lnk"' ? '<style>.lnk{display:none}</style>' : '')
          + (wrapped ? `<div ${hider}><p>${links}</p></div>` : `<div ${hider}>${links}</div>`);
        let html = govPage({ visit: v + 2 });
        if (where === 'body-start') html = html.replace('<body>', `<body>${block}`);
        else if (where === 'body-end') html = html.replace('</body>', `${block}</body>`);
        else if (where === 'news') html = html.replace('</ul><div class="notice">', `${block}</ul><div class="notice">`);
        else html = html.replace('<footer>', `<footer>${block}`);
        const c = run.visit(answer(html, { at: T0 + 120_000 }));
        assert.equal(c.verdict, 'injected', `${hider} ${where}: ${c.reasons.join(' | ')}`);
      }), { numRuns: 200 });
  });
});
