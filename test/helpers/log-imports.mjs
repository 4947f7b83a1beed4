// Registered with `node --import`: appends every file URL the CLI imports to $T0KEN_IMPORT_LOG.
import { register } from 'node:module';

register('./log-imports-hooks.mjs', import.meta.url, { data: { log: process.env.T0KEN_IMPORT_LOG } });
