/** The probe's own IP withheld from views and downloads: where it appears, what is left alone. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { publicMeasurement, probeIpOf } from '../../src/probe/ooni/scrub.ts';

describe('publicMeasurement', () => {
  it('returns a measurement without a probe address byte for byte', () => {
    for (const body of ['{"probe_ip":"127.0.0.1","a":1}', '{ "b" : [1, 2] }', '{"probe_ip":null}', '{"probe_ip":"not an address"}', 'not json']) {
      assert.equal(publicMeasurement(body), body);
    }
  });

  it('withholds probe_ip and scrubs the address everywhere else, keys included, but not longer numbers that contain it', () => {
    const m = {
      probe_ip: '1.2.3.4', resolver_ip: '11.2.3.45',
      test_keys: { seen: 'from 1.2.3.4:5555 and 1.2.3.40', list: ['1.2.3.4', '21.2.3.4'], by: { '1.2.3.4': true } },
    };
    const out = JSON.parse(publicMeasurement(JSON.stringify(m)));
    assert.deepEqual(out, {
      probe_ip: '127.0.0.1', resolver_ip: '11.2.3.45',
      test_keys: { seen: 'from [scrubbed]:5555 and 1.2.3.40', list: ['[scrubbed]', '21.2.3.4'], by: { '[scrubbed]': true } },
    });
  });

  it('scrubs an IPv6 probe address and leaves longer ones alone', () => {
    const out = JSON.parse(publicMeasurement(JSON.stringify({ probe_ip: '2001:db8::1', a: '[2001:db8::1]:443', b: '2001:db8::10' })));
    assert.deepEqual(out, { probe_ip: '127.0.0.1', a: '[[scrubbed]]:443', b: '2001:db8::10' });
    assert.equal(probeIpOf({ probe_ip: '::1' }), null);
  });
});
