import { it } from 'node:test';
import assert from 'node:assert/strict';
import { TermDict } from '../../../src/detect/terms/dict.ts';
import { createRng } from '../../../src/util/random.ts';

it('gives each distinct term one id, in first-seen order, as a Map would, through many table growths', () => {
  const rng = createRng(5);
  const alphabet = ['自', '由', '万', '岁', 'a', 'B', '𠀋', '\u0000', '\uffff', 'é', '#'];
  const dict = new TermDict();
  const want = new Map<string, number>();
  for (let i = 0; i < 200_000; i++) {
    const t = rng.chance(0.5)
      ? String.fromCharCode(0x4e00 + rng.int(0, 400), 0x4e00 + rng.int(0, 400), ...(rng.chance(0.5) ? [0x4e00 + rng.int(0, 400)] : []))
      : Array.from({ length: rng.int(1, 5) }, () => rng.pick(alphabet)).join('');
    if (!want.has(t)) want.set(t, want.size);
    assert.equal(dict.id(t), want.get(t), t);
  }
  assert.equal(dict.size, want.size);
  assert.deepEqual(dict.terms, [...want.keys()]);
});
