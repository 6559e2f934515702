/**
 * The lab's certificates, generated at test time with the openssl CLI: a private CA the probe and
 * test helper trust (NODE_EXTRA_CA_CERTS), a leaf for every lab hostname, and a self-signed
 * "untrusted root" certificate for the bad-TLS scenarios.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LabCerts {
  caFile: string;
  leafCert: string;
  leafKey: string;
  untrustedCert: string;
  untrustedKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Generates the CA, a leaf for `hosts` and an untrusted self-signed cert for `untrustedHosts`. */
export function makeCerts(dir: string, hosts: string[], untrustedHosts: string[]): LabCerts {
  openssl(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3', '-subj', '/CN=Censorscope Lab CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  writeFileSync(join(dir, 'leaf.ext'), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}\n`);
  openssl(['req', ...EC, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=lab'], dir);
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '3', '-extfile', 'leaf.ext'], dir);
  const names = untrustedHosts.length ? untrustedHosts : ['untrusted.invalid'];
  openssl(['req', '-x509', ...EC, '-keyout', 'untrusted.key', '-out', 'untrusted.pem', '-days', '3', '-subj', '/CN=untrusted',
    '-addext', `subjectAltName=${names.map((h) => `DNS:${h}`).join(',')}`], dir);
  return {
    caFile: join(dir, 'ca.pem'), leafCert: join(dir, 'leaf.pem'), leafKey: join(dir, 'leaf.key'),
    untrustedCert: join(dir, 'untrusted.pem'), untrustedKey: join(dir, 'untrusted.key'),
  };
}
