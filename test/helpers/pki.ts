import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A private certificate authority made with the real `openssl` command, as a company or a test lab
 * would make one, and server certificates it signs: valid, expired, or for other names.
 */
export interface IssuedCert {
  key: string;  // PEM
  cert: string; // PEM
}

export interface Pki {
  /** Path of the CA certificate, for NODE_EXTRA_CA_CERTS. */
  caPath: string;
  issue(name: string, options: { altNames: readonly string[]; startDate?: string; endDate?: string }): IssuedCert;
}

export function makePki(dir: string): Pki {
  mkdirSync(join(dir, 'new'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const config = join(dir, 'ca.cnf');
  writeFileSync(
    config,
    [
      '[ req ]', 'distinguished_name = dn', 'prompt = no',
      '[ dn ]', 'CN = t0ken test CA',
      '[ v3_ca ]', 'basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash',
      '[ ca ]', 'default_ca = tca',
      '[ tca ]', `database = ${join(dir, 'index.txt')}`, `new_certs_dir = ${join(dir, 'new')}`, `serial = ${join(dir, 'serial')}`,
      'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none',
      '[ any ]', 'commonName = supplied',
      '',
    ].join('\n'),
  );
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', '-config', config, '-extensions', 'v3_ca', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3']);
  let serial = 0;
  return {
    caPath: join(dir, 'ca.pem'),
    issue(name, { altNames, startDate, endDate }) {
      const base = `leaf-${serial++}`;
      writeFileSync(
        join(dir, `${base}.ext`),
        ['[ leaf ]', 'basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = serverAuth',
          `subjectAltName = ${altNames.join(', ')}`, 'authorityKeyIdentifier = keyid', ''].join('\n'),
      );
      openssl(['req', '-new', '-config', config, '-subj', `/CN=${name}`, ...ec, '-keyout', `${base}.key`, '-out', `${base}.csr`]);
      const validity = startDate && endDate ? ['-startdate', startDate, '-enddate', endDate] : ['-days', '3'];
      openssl(['ca', '-batch', '-config', config, '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${base}.csr`, '-out', `${base}.pem`,
        '-notext', '-extfile', `${base}.ext`, '-extensions', 'leaf', ...validity]);
      return { key: readFileSync(join(dir, `${base}.key`), 'utf8'), cert: readFileSync(join(dir, `${base}.pem`), 'utf8') };
    },
  };
}
