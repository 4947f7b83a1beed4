// Messages a newcomer met that said something untrue (issue 23): each says what is true now.
import { describe, expect, it } from 'vitest';
import { useCli } from '../helpers/run.js';

const { t0ken } = useCli();

describe('the keychain', () => {
  it('credentials migrate --to keyring with no keychain does not suggest the T0KEN_CREDENTIAL_STORE already in force', async () => {
    for (const mode of ['auto', undefined]) {
      const env = { T0KEN_CREDENTIAL_STORE: mode };
      expect((await t0ken(['register', '-q'], { env: { T0KEN_CREDENTIAL_STORE: 'file' } })).code).toBe(0);
      const migrate = await t0ken(['credentials', 'migrate', '--to', 'keyring'], { env });
      expect(migrate.code).toBe(7);
      expect(migrate.stderr).not.toMatch(/T0KEN_CREDENTIAL_STORE=(file \(or auto\)|auto)/);
      expect(migrate.stderr).toMatch(/stays in the config file/);
    }
  });

  it('T0KEN_CREDENTIAL_STORE=keyring with no keychain names that setting as the way out', async () => {
    const register = await t0ken(['register'], { env: { T0KEN_CREDENTIAL_STORE: 'keyring' } });
    expect(register.code).toBe(7);
    expect(register.stderr).toMatch(/unset T0KEN_CREDENTIAL_STORE/);
  });
});
