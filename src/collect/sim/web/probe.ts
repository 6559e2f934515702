/**
 * The blocking probe's view of the simulated web: when a site's script says `blocked`, a
 * measurement of its host finding it blocked is written at the phase's start, and one finding it
 * accessible when the phase ends. The measurements come from the simulated-measurement generator
 * (src/serve/fixtures-probe.ts), so each is marked SIMULATED- and is classified by the real probe
 * classifier before it is stored.
 */
import type { Store } from '../../../store/open.ts';
import { seedMeasurements, type Scenario } from '../../../serve/fixtures-probe.ts';
import type { SimWebHandle } from './server.ts';

/**
 * An `onTime` hook for `web.setOnTime`: writes each blocked phase's measurements once the clock
 * has reached them. `how` is the blocking the probe finds (default: DNS injection).
 */
export function blockedProbe(store: Store, web: SimWebHandle, how: Scenario = 'dns-injection'): (t: number) => Promise<void> {
  const pending: Array<{ at: number; url: string; scenario: Scenario }> = [];
  for (const s of web.sites) {
    s.phases.forEach((p, i) => {
      if (p.state.kind !== 'blocked') return;
      pending.push({ at: p.from, url: web.urlOf(s.id), scenario: how });
      const next = s.phases[i + 1];
      if (next) pending.push({ at: next.from, url: web.urlOf(s.id), scenario: 'reachable' });
    });
  }
  pending.sort((a, b) => a.at - b.at);
  const counts = new Map<string, number>();
  return async (t) => {
    while (pending.length && pending[0]!.at <= t) {
      const m = pending.shift()!;
      // A generated uid names the day, network and host: each measurement of a host takes the
      // next documentation AS number (AS64496-AS64511), so two on one day stay distinct.
      const n = counts.get(m.url) ?? 0;
      counts.set(m.url, n + 1);
      await seedMeasurements(store, {
        now: m.at, days: 0, everyHours: 1,
        plan: [{ url: m.url, category: null, networks: [{ cc: 'XA', asn: `AS${64496 + (n % 16)}`, phases: [{ fromDay: 0, scenario: m.scenario }] }] }],
      });
    }
  };
}
