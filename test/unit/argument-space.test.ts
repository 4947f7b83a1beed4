import { describe, expect, it } from 'vitest';
import { fitsGuaranteedArgumentSpace } from '../../src/core/argument-space.js';

describe('fitsGuaranteedArgumentSpace (what execve takes on any Linux: 128 KiB with NULs and pointers)', () => {
  it('an ordinary command and environment fit', () => {
    expect(fitsGuaranteedArgumentSpace(['node', 'server.js', '--port', '3000'], { PATH: '/usr/bin:/bin', HOME: '/home/me', T0KEN_API_KEY: 'omx_agent_x' })).toBe(true);
  });

  it('counts arguments, environment, each NUL and pointer, and multi-byte characters as their bytes', () => {
    const budget = 32 * 4096 - 8 * 2; // the two NULL pointers
    const exactly = (bytes: number) => ['x'.repeat(bytes - 1 - 8)]; // one argument: its bytes, its NUL, its pointer
    expect(fitsGuaranteedArgumentSpace(exactly(budget), {})).toBe(true);
    expect(fitsGuaranteedArgumentSpace(exactly(budget + 1), {})).toBe(false);
    expect(fitsGuaranteedArgumentSpace(['é'.repeat(70_000)], {})).toBe(false); // 140,000 bytes
    expect(fitsGuaranteedArgumentSpace(['true'], { BIG: 'v'.repeat(131_100) })).toBe(false);
  });
});
