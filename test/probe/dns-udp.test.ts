import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';
import { udpLookup, answerFailure } from '../../src/probe/dns/udp.ts';

/** A resolver on 127.0.0.1 that answers twice, like a censor racing the real server. */
async function racingResolver(): Promise<{ port: number; close(): void }> {
  const s = dgram.createSocket('udp4');
  s.on('message', (msg, r) => {
    const q = dnsPacket.decode(msg);
    const name = q.questions![0].name;
    const reply = (addr: string, ttl: number): Buffer => dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED, questions: q.questions, answers: [{ type: 'A', name, ttl, data: addr }] });
    s.send(reply('192.0.2.99', 60), r.port, r.address);
    setTimeout(() => s.send(reply('203.0.113.7', 300), r.port, r.address), 120);
  });
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
  return { port: (s.address() as AddressInfo).port, close: () => s.close() };
}

describe('DNS over UDP keeping every answer', () => {
  it('keeps both the early forged and the late real answer, with times, TTLs and raw bytes', async () => {
    const r = await racingResolver();
    try {
      const out = await udpLookup('blocked.example', { resolver: '127.0.0.1', port: r.port, timeoutMs: 1000, waitMs: 400 });
      assert.equal(out.answers.length, 2);
      assert.deepEqual(out.answers.map((a) => a.addrs[0]), ['192.0.2.99', '203.0.113.7']);
      assert.deepEqual(out.answers.map((a) => a.ttls[0]), [60, 300]);
      assert.ok(out.answers[1].t - out.answers[0].t > 0.08);
      // Each raw answer is the packet that arrived: it decodes to that answer's address and TTL.
      const raw = out.answers.map((a) => dnsPacket.decode(Buffer.from(a.raw, 'base64')));
      assert.deepEqual(raw.map((p) => p.answers!.map((x) => [x.name, x.type, (x as { data: string; ttl: number }).data, (x as { ttl: number }).ttl])),
        [[['blocked.example', 'A', '192.0.2.99', 60]], [['blocked.example', 'A', '203.0.113.7', 300]]]);
      assert.deepEqual(raw.map((p) => p.questions!.map((q) => q.name)), [['blocked.example'], ['blocked.example']]);
      assert.equal(out.failure, null);
    } finally {
      r.close();
    }
  });

  it('times out with OONI\'s failure when nobody answers', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((res) => silent.bind(0, '127.0.0.1', () => res()));
    try {
      const out = await udpLookup('x.example', { resolver: '127.0.0.1', port: (silent.address() as AddressInfo).port, timeoutMs: 200, waitMs: 100 });
      assert.equal(out.failure, 'generic_timeout_error');
    } finally {
      silent.close();
    }
  });

  it('reads NXDOMAIN and empty answers as failures', () => {
    assert.equal(answerFailure({ t: 0, rcode: 'NXDOMAIN', addrs: [], ttls: [], raw: '' }), 'dns_nxdomain_error');
    assert.equal(answerFailure({ t: 0, rcode: 'NOERROR', addrs: [], ttls: [], raw: '' }), 'dns_no_answer');
    assert.equal(answerFailure({ t: 0, rcode: 'NOERROR', addrs: ['1.2.3.4'], ttls: [1], raw: '' }), null);
  });
});
