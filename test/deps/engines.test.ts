/**
 * Supply chain: every package the lock file pins supports the oldest Node.js the project claims
 * (package.json `engines`, the README's quick start), so a fresh `npm ci` on that Node prints no
 * EBADENGINE; and the lock file matches package.json, so `npm ci` installs it as it is.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>;
};

describe('dependencies and the Node.js the project claims', () => {
  const oldest = semver.minVersion(pkg.engines.node);

  it('names a minimum Node.js, the README names the same one, and this Node satisfies it', () => {
    assert.ok(oldest, `package.json engines.node "${pkg.engines.node}" has no minimum version`);
    assert.ok(semver.satisfies(process.version, pkg.engines.node), `this Node.js ${process.version} is older than engines.node "${pkg.engines.node}"`);
    const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
    assert.ok(readme.includes(`Node.js ${oldest.major}.${oldest.minor} or newer`), `the README's quick start should say "Node.js ${oldest.major}.${oldest.minor} or newer"`);
  });

  it('every locked package supports that Node.js (no EBADENGINE on a fresh install)', () => {
    const bad: string[] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      // Old packages wrote engines as an array of strings; npm ignores that form.
      const range = p.engines && !Array.isArray(p.engines) ? p.engines.node : undefined;
      if (!path || !range) continue;
      for (const v of [oldest!.version, process.version]) {
        if (!semver.satisfies(v, range)) bad.push(`${path.replace(/^.*node_modules\//, '')}@${p.version} needs Node ${range} (not ${v})`);
      }
    }
    assert.deepEqual(bad, [], `pin versions that support Node ${oldest!.version}:\n${bad.join('\n')}`);
  });

  it('the lock file records exactly the ranges package.json asks for (npm ci would refuse otherwise)', () => {
    assert.equal(lock.lockfileVersion, 3);
    assert.deepEqual(lock.packages['']!.dependencies, pkg.dependencies);
    assert.deepEqual(lock.packages['']!.devDependencies, pkg.devDependencies);
    for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
      const locked = lock.packages[`node_modules/${name}`];
      assert.ok(locked?.version, `${name} is not in package-lock.json`);
      const wanted = pkg.dependencies[name] ?? pkg.devDependencies[name]!;
      assert.ok(semver.satisfies(locked.version, wanted), `${name}@${locked.version} in the lock file is outside "${wanted}"`);
    }
  });
});
