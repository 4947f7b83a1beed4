/**
 * Whether a binfmt_misc entry (the text of /proc/sys/fs/binfmt_misc/<name>) takes a file starting
 * with `head`: enabled, a magic (not an extension) that matches under its mask at its offset.
 *
 *   enabled
 *   interpreter /usr/bin/qemu-aarch64-static
 *   offset 0
 *   magic 7f454c460201010000000000000000000200b700
 *   mask ffffffffffffff00fffffffffffffffffeffffff
 */
export function binfmtMatches(entry: string, head: Buffer): boolean {
  const lines = entry.split('\n');
  if (lines[0]?.trim() !== 'enabled') return false;
  const field = (name: string) => lines.find((line) => line.startsWith(`${name} `))?.slice(name.length + 1).trim();
  const magic = field('magic');
  if (magic === undefined || !/^(?:[0-9a-f]{2})+$/.test(magic)) return false;
  const mask = field('mask') ?? 'ff'.repeat(magic.length / 2);
  if (!/^(?:[0-9a-f]{2})+$/.test(mask)) return false;
  const offset = Number(field('offset') ?? '0');
  if (!Number.isInteger(offset) || offset < 0) return false;
  const want = Buffer.from(magic, 'hex');
  const bits = Buffer.from(mask, 'hex');
  if (offset + want.length > head.length) return false;
  return want.every((byte, i) => ((head[offset + i]! ^ byte) & (bits[i] ?? 0xff)) === 0);
}
