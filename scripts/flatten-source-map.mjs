// Joins source maps placed at line offsets of one generated file into one ordinary map. (Node reads
// no "sections" index map from a file's sourceMappingURL: stack traces would stay unmapped.)

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

function decodeSegment(text) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`not a source map digit: ${char}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function encodeValue(value) {
  let vlq = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = vlq & 31;
    vlq >>>= 5;
    if (vlq > 0) digit |= 32;
    out += BASE64[digit];
  } while (vlq > 0);
  return out;
}

/**
 * @param {string} file the generated file's name
 * @param {{ line: number, map: { sources: string[], names?: string[], mappings: string } }[]} sections in line order
 */
export function flattenSourceMap(file, sections) {
  const sources = [];
  const names = [];
  const indexIn = (list, value) => {
    let index = list.indexOf(value);
    if (index === -1) index = list.push(value) - 1;
    return index;
  };
  /** Absolute segments by generated line: [column, source, line, column, name?]. */
  const lines = [];
  for (const { line: offset, map } of sections) {
    let source = 0;
    let sourceLine = 0;
    let sourceColumn = 0;
    let name = 0;
    map.mappings.split(';').forEach((text, index) => {
      let column = 0;
      const segments = (lines[offset + index] ??= []);
      for (const segment of text.split(',').filter(Boolean)) {
        const [dColumn, dSource, dLine, dSourceColumn, dName] = decodeSegment(segment);
        column += dColumn;
        if (dSource === undefined) continue;
        source += dSource;
        sourceLine += dLine;
        sourceColumn += dSourceColumn;
        const mapped = [column, indexIn(sources, map.sources[source]), sourceLine, sourceColumn];
        if (dName !== undefined) {
          name += dName;
          mapped.push(indexIn(names, map.names[name]));
        }
        segments.push(mapped);
      }
    });
  }
  const previous = [0, 0, 0, 0];
  const mappings = Array.from(lines, (segments = []) => {
    let column = 0;
    return segments.map(([genColumn, source, line, sourceColumn, name]) => {
      let text = encodeValue(genColumn - column) + encodeValue(source - previous[0]) + encodeValue(line - previous[1]) + encodeValue(sourceColumn - previous[2]);
      column = genColumn;
      [previous[0], previous[1], previous[2]] = [source, line, sourceColumn];
      if (name !== undefined) {
        text += encodeValue(name - previous[3]);
        previous[3] = name;
      }
      return text;
    }).join(',');
  }).join(';');
  return { version: 3, file, sources, names, mappings };
}
