import { describe, expect, it } from 'vitest';
import { CliError, usageError } from '../../src/core/errors.js';
import { Exit, EXIT_CODE_TABLE, EXIT_FOR_CODE, type ErrorCode } from '../../src/core/exit-codes.js';

describe('exit codes come from the error code', () => {
  it.each([
    ['invalid_input', 2],
    ['not_registered', 3],
    ['code_expired', 4],
    ['timeout', 5],
    ['conflict', 6],
    ['keychain_locked', 7],
    ['command_not_executable', 126],
    ['command_not_found', 127],
    ['interrupted', 130],
  ] as const)('%s → %i', (code, exit) => {
    expect(new CliError(code, 'm').exitCode).toBe(exit);
  });

  it('every code maps to a number of the contract\'s table', () => {
    const documented = new Set(EXIT_CODE_TABLE.map(([n]) => n));
    for (const [code, exit] of Object.entries(EXIT_FOR_CODE)) expect(documented.has(exit), code).toBe(true);
  });

  it('a code that is not ours (a service\'s) keeps the exit code it is given, even one spelled like ours', () => {
    const serviceSaid = 'interrupted' as string; // a service may send any snake_case code
    expect(new CliError(serviceSaid, 'm', { exitCode: Exit.rejected, status: 400 }).exitCode).toBe(Exit.rejected);
    expect(new CliError('agent_exists', 'm', { exitCode: Exit.conflict }).exitCode).toBe(Exit.conflict);
    expect(usageError('m').exitCode).toBe(Exit.usage);
  });

  it('the codes are typed: a new code of ours must be added to the table', () => {
    const known: ErrorCode = 'local_state';
    expect(new CliError(known, 'm').exitCode).toBe(Exit.state);
  });
});
