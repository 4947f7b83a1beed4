import type { SecretHolder } from '../schema.js';
import type { Placement } from './types.js';

/**
 * The file home: the secret sits in its config.json record (the file is 0600, its directory 0700).
 * It is where secrets go when no keychain answers, or when T0KEN_CREDENTIAL_STORE=file.
 */
export const inFile = (secret: string): Placement => ({ api_key: secret });

/** The secret a record holds in the file, or undefined when it points to the keychain instead. */
export const fromFile = (record: SecretHolder): string | undefined => record.api_key;
