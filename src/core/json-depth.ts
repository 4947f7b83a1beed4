/**
 * How deep JSON may nest before t0ken refuses it. Nothing t0ken reads (answers, its config, an MCP
 * client's file) nests more than a handful of levels; JSON.parse takes any depth, but JSON.stringify
 * and every recursive walk overflow the stack a few thousand levels down (exit 1, a bug). Refusing
 * beyond this limit up front turns that into the ordinary "malformed" error of each place.
 */
export const MAX_JSON_DEPTH = 512;

/** Whether JSON text nests arrays and objects more than `limit` levels deep (strings are skipped). */
export function jsonTooDeep(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

export const TOO_DEEP = `it is nested more than ${MAX_JSON_DEPTH} levels deep`;
