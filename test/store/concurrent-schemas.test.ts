/**
 * Opening a store on PostgreSQL must not fail because another store's schema is dropped at the
 * same moment (tests and benches drop their throwaway schemas while others migrate theirs). CI
 * once failed `site-cli` this way: Kysely's introspector named a schema being dropped elsewhere.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';

for (const b of backends().filter((c) => c.label === 'postgres')) {
  describe(`opening stores while other schemas are dropped [${b.label}]`, () => {
    it('migrates every new store while schemas with tables come and go beside it', async () => {
      let churning = true;
      let churned = 0;
      // Other stores opening and closing: each churn makes a schema full of tables, then drops it.
      const churn = async () => {
        while (churning) {
          const other = await b.open();
          await other.cleanup();
          churned++;
        }
      };
      const churners = [churn(), churn()];
      const failures: string[] = [];
      try {
        for (let i = 0; i < 8; i++) {
          try {
            const ts = await b.open();
            await ts.cleanup();
          } catch (err) {
            failures.push((err as Error).message);
          }
        }
      } finally {
        churning = false;
        await Promise.all(churners);
      }
      assert.ok(churned >= 2, `the other schemas were dropped ${churned} times; the test needs at least 2`);
      assert.deepEqual(failures, []);
    });
  });
}
