import type { CommandSpec } from '../../core/command-spec.js';
import { MNEMOM_ENV } from '../../core/environment.js';

export const spec: CommandSpec = {
  path: ['agent'],
  group: 'Agents (Mnemom):',
  summary: 'create, list, show, claim and rekey Mnemom agents',
  description: 'Create, list, show, claim and rekey Mnemom agents, and store a Mnemom API key.',
  groupOnly: true,
  examples: ['t0ken agent create --name my-agent --key-env ANTHROPIC_API_KEY --if-exists ok', 't0ken agent list', 't0ken agent claim smolt-1a2b3c4d --name my-agent --key-env ANTHROPIC_API_KEY'],
  environment: [...MNEMOM_ENV],
};
