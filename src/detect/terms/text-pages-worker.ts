/** Worker thread: reads the posts of known outcome and sends them as text pages (text-pages.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { openStoreConnection } from '../../store/open.ts';
import { outcomePosts, outcomeRule } from './read.ts';
import { TextNumbers, type TextPagesJob, type TextPagesMessage } from './text-pages.ts';

const job = (workerData as { data: TextPagesJob }).data;
let credit = job.window;
let resume: (() => void) | null = null;
parentPort!.on('message', () => {
  credit++;
  resume?.();
});
const send = (m: TextPagesMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);

const store = await openStoreConnection(job.location);
try {
  const numbers = new TextNumbers();
  for await (const posts of outcomePosts(store, outcomeRule(job.removedAs))) {
    while (credit <= 0) await new Promise<void>((r) => { resume = r; });
    resume = null;
    credit--;
    const page = numbers.page(posts);
    send({ page }, [page.account.buffer, page.created.buffer, page.removed.buffer, page.text.buffer] as ArrayBuffer[]);
  }
  send({ end: true });
} catch (err) {
  send({ error: (err as Error).message });
} finally {
  await store.close();
  parentPort!.close();
}
