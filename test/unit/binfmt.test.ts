import { describe, expect, it } from 'vitest';
import { binfmtMatches } from '../../src/core/binfmt.js';

// qemu-user-static's entry for aarch64 ELF executables, as Debian registers it.
const AARCH64 = `enabled
interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
flags: POCF
offset 0
magic 7f454c460201010000000000000000000200b700
mask ffffffffffffff00fffffffffffffffffeffffff
`;
const elf = (machine: number) => {
  const head = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(head);
  head.writeUInt16LE(2, 16);
  head.writeUInt16LE(machine, 18);
  return head;
};

describe('binfmt_misc entries', () => {
  it('an enabled entry takes the files its magic matches under its mask, and no others', () => {
    expect(binfmtMatches(AARCH64, elf(183))).toBe(true);
    expect(binfmtMatches(AARCH64, elf(62))).toBe(false);
    expect(binfmtMatches(AARCH64.replace('enabled', 'disabled'), elf(183))).toBe(false);
  });

  it('an extension entry, or a python one (Ubuntu registers those), takes no ELF', () => {
    expect(binfmtMatches('enabled\ninterpreter /usr/bin/mono\nflags: \nextension .exe\n', elf(183))).toBe(false);
    expect(binfmtMatches('enabled\ninterpreter /usr/bin/python3.12\nflags: \noffset 0\nmagic cb0d0d0a\n', elf(183))).toBe(false);
  });
});
