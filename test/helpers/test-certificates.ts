/**
 * A throw-away certificate authority, a server certificate for one DNS name and a client
 * certificate, made with the system's openssl, for TLS and mTLS tests against a local server.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestCertificates {
  dir: string;
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  clientCertPath: string;
  clientKeyPath: string;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

function issue(dir: string, name: string, subject: string, extensions: string[]): void {
  openssl(
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${subject}`,
    ]),
    dir,
  );
  fs.writeFileSync(path.join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extfile',
      `${name}.ext`,
    ]),
    dir,
  );
}

/** Writes a CA, a server certificate for `serverName` and a client certificate into `dir`. */
export function createTestCertificates(dir: string, serverName: string): TestCertificates {
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat(
      ['-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=reelflow-test-ca'],
      ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ),
    dir,
  );
  issue(dir, 'server', serverName, [`subjectAltName=DNS:${serverName}`, 'extendedKeyUsage=serverAuth', 'basicConstraints=CA:FALSE']);
  issue(dir, 'client', 'reelflow-worker', ['extendedKeyUsage=clientAuth', 'basicConstraints=CA:FALSE']);
  return {
    dir,
    caCertPath: path.join(dir, 'ca.pem'),
    serverCertPath: path.join(dir, 'server.pem'),
    serverKeyPath: path.join(dir, 'server.key'),
    clientCertPath: path.join(dir, 'client.pem'),
    clientKeyPath: path.join(dir, 'client.key'),
  };
}
