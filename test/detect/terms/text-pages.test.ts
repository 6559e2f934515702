/** Text pages number each text once, and again once their memory started over. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TextNumbers } from '../../../src/detect/terms/text-pages.ts';
import type { OutcomePost } from '../../../src/detect/terms/read.ts';

const post = (id: number, text: string, accountId: number | null = 1): OutcomePost => ({ id, accountId, createdAt: id * 1000, text, removed: id % 2 === 0 });

describe('TextNumbers', () => {
  it('sends a text once and numbers its repeats the same, with authors, times and outcomes in arrays', () => {
    const n = new TextNumbers();
    const a = n.page([post(1, 'aa'), post(2, 'bb', null), post(3, 'aa')]);
    assert.deepEqual(a.fresh, ['aa', 'bb']);
    assert.equal(a.firstText, 0);
    assert.deepEqual([...a.text], [0, 1, 0]);
    assert.deepEqual([...a.removed], [0, 1, 0]);
    assert.ok(Number.isNaN(a.account[1]!));
    assert.deepEqual([...a.created], [1000, 2000, 3000]);
    const b = n.page([post(4, 'bb'), post(5, 'cc')]);
    assert.deepEqual(b.fresh, ['cc']);
    assert.equal(b.firstText, 2);
    assert.deepEqual([...b.text], [1, 2]);
  });

  it('starts over past its character budget: a text seen before is sent again under a new number', () => {
    const n = new TextNumbers(5);
    const a = n.page([post(1, 'abc'), post(2, 'de'), post(3, 'abc')]);
    assert.deepEqual(a.fresh, ['abc', 'de']);
    const b = n.page([post(4, 'fg'), post(5, 'abc')]);
    assert.deepEqual(b.fresh, ['fg', 'abc'], 'the memory started over at fg');
    assert.deepEqual([...b.text], [2, 3]);
  });
});
