/**
 * The "simulated data" banner: shown under the header on every page while the store holds any
 * simulated source (GET /api/simulated), and removed as soon as it holds none.
 */
import { get } from './api.ts';
import { h } from './dom.ts';

interface Simulated { simulated: Array<{ kind: string; source: string }> }

/** Shows, updates or removes the banner from the server's current answer. */
export async function showSimulatedBanner(): Promise<void> {
  let r: Simulated;
  try {
    r = await get<Simulated>('/api/simulated');
  } catch {
    document.documentElement.dataset.simulated = 'unknown';
    return; // Unknown is not "simulated": the page itself reports the server's failures.
  }
  // Tests wait for this before asserting the banner's absence.
  document.documentElement.dataset.simulated = String(r.simulated.length > 0);
  const old = document.getElementById('simulated-banner');
  if (!r.simulated.length) {
    old?.remove();
    return;
  }
  const names = r.simulated.map((s) => `${s.source} (${s.kind})`).join(', ');
  const banner = h('div', { id: 'simulated-banner', class: 'simulated-banner', data: { sources: String(r.simulated.length) } },
    h('strong', null, 'Simulated data. '),
    `This store holds data from a simulated source, not from a real platform or network: ${names}. Do not publish it as observations.`);
  if (old) old.replaceWith(banner);
  else document.querySelector('header.top')?.after(banner);
}
