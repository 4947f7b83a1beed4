import { describe, expect, it } from 'vitest';
import { failure } from '../../src/platform/child.js';
import { execveFailureThrows } from '../../src/platform/replace-process.js';

describe('why a program did not start', () => {
  it('an error Node left without a code (Node 26\'s execve for E2BIG: code "", errno 7) is named from its errno', () => {
    for (const errno of [7, -7]) {
      const outcome = failure('prog', Object.assign(new Error('execve'), { code: '', errno }), { PATH: '/nonexistent' });
      expect(outcome).toMatchObject({ kind: 'not-executable', status: 126, message: 'prog: cannot execute: its arguments and environment are too long for the system (E2BIG)' });
    }
  });

  it('execve failures throw from Node 26 on (nodejs/node#62878); 22 and 24 abort', () => {
    expect(['22.23.5', '24.22.3', '26.12.1', '27.0.0'].map((version) => execveFailureThrows(version))).toEqual([false, false, true, true]);
  });
});
