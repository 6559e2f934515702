import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpOracle, HttpOracleConfig, readOracleConfig } from '../../../src/detect/extract/http-oracle.ts';
import { RuleFilter } from '../../../src/detect/extract/oracle.ts';
import { parseRules } from '../../../src/detect/extract/rules.ts';
import { extractRules } from '../../../src/detect/extract/extract.ts';
import { execFile } from 'node:child_process';

/** Runs the CLI without blocking this process (the HTTP server under test lives here). */
function runCliAsync(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/censorscope.js', ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A real HTTP "platform" on 127.0.0.1 that rejects posts matching a rule set. */
describe('HTTP oracle', () => {
  const filter = new RuleFilter(parseRules('法轮功\n习近平+下台'));
  let server: Server;
  let url = '';
  const arrivals: number[] = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        arrivals.push(Date.now());
        const text = (JSON.parse(body) as { text: string }).text;
        const blocked = filter.censors(text);
        res.writeHead(blocked ? 403 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: !blocked, result: { censored: blocked } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    url = `http://127.0.0.1:${addr.port}/post`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const config = (extra: object = {}) => HttpOracleConfig.parse({
    url, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text": {{text}}}',
    censoredWhen: { jsonPath: 'result.censored', equals: true }, ratePerSecond: 1000, ...extra,
  });

  it('judges responses by a JSON field or by status', async () => {
    const o = new HttpOracle(config());
    assert.equal(await o.isCensored('今天法轮功"引号"'), true);
    assert.equal(await o.isCensored('今天天气好'), false);
    const byStatus = new HttpOracle(config({ censoredWhen: { status: [403] } }));
    assert.equal(await byStatus.isCensored('习近平 要 下台'), true);
    assert.equal(o.queries, 2);
  });

  it('extracts rules through the HTTP service', async () => {
    const r = await extractRules(new HttpOracle(config()), '我们听说习近平可能下台，但法轮功的事没人提。');
    assert.deepEqual(r.rules.map((x) => x.join('+')).sort(), ['下台+习近平', '法轮功']);
  });

  it('respects the rate limit', async () => {
    const o = new HttpOracle(config({ ratePerSecond: 20 }));
    const start = arrivals.length;
    const t0 = Date.now();
    for (let i = 0; i < 6; i++) await o.isCensored(`text ${i}`);
    // Six requests at 20/s: the sixth may start no earlier than 250 ms after the first.
    assert.ok(Date.now() - t0 >= 5 * 50 - 5, `6 requests took ${Date.now() - t0} ms`);
    assert.equal(arrivals.length - start, 6);
  });

  it('rejects an invalid config with a sentence naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oracle-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ url: 'not a url', censoredWhen: {} }));
    assert.throws(() => readOracleConfig(file), /url.*censoredWhen|censoredWhen.*url/s);
  });

  it('runs `censorscope extract --oracle CONFIG --text FILE --json`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oracle-'));
    writeFileSync(join(dir, 'oracle.json'), JSON.stringify({ url, method: 'POST', body: '{"text": {{text}}}', censoredWhen: { status: [403] }, ratePerSecond: 500 }));
    writeFileSync(join(dir, 'text.txt'), '大家说习近平要下台了。');
    const r = await runCliAsync(['extract', '--oracle', join(dir, 'oracle.json'), '--text', join(dir, 'text.txt'), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { rules: string[][]; queries: number };
    assert.deepEqual(out.rules, [['下台', '习近平']]);
    assert.ok(out.queries > 3);
  });

  it('runs `censorscope extract --rules FILE --text FILE --json` with a noisy simulated filter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oracle-'));
    writeFileSync(join(dir, 'rules.txt'), '习近平 + 近平下 + 下台\nC\\+\\+ + 禁止\n');
    writeFileSync(join(dir, 'text.txt'), '今天习近平下台了，C++ 禁止。');
    const r = await runCliAsync(['extract', '--rules', join(dir, 'rules.txt'), '--text', join(dir, 'text.txt'), '--reliability', '0.75', '--seed', '3', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { rules: string[][]; queries: number; confidence: number[] };
    assert.deepEqual(out.rules.map((x) => x.join('+')).sort(), ['C+++禁止', '下台+习近平+近平下']);
    assert.equal(out.confidence.length, 2);
  });
});
