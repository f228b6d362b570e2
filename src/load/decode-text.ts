import { firstInvalidUtf8 } from './utf8.js';

export interface TextProblem {
  message: string;
  hint: string;
  line?: number;
  column?: number;
}

const SAVE_AS_UTF8 = 'a matrix is a UTF-8 text file: is this the right file? If so, save it as UTF-8';

/**
 * Bytes -> the text TOML parses. TOML files are UTF-8 (toml.io); TOML parsers disagree about a
 * byte order mark (Python's tomllib refuses it), so one is refused here too, with a clear word,
 * rather than kept for the next tool to trip on.
 */
export function decodeText(bytes: Buffer): { text: string } | { problem: TextProblem } {
  if (bytes.length === 0) {
    return {
      problem: {
        message: 'is empty (0 bytes)',
        hint: 'a matrix needs [project], [matrix] and at least one [stage.<name>]; see the smallest matrix in the README of matrixbake',
      },
    };
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return {
      problem: {
        message: 'starts with a UTF-8 byte order mark (BOM)',
        hint: 'save it as UTF-8 without a BOM ("UTF-8", not "UTF-8 with BOM")',
        line: 1,
        column: 1,
      },
    };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      problem: {
        message: 'is UTF-16 text (it starts with a UTF-16 byte order mark)',
        hint: 'save it as UTF-8; PowerShell 5 writes UTF-16 with ">", use Out-File -Encoding utf8NoBOM',
        line: 1,
        column: 1,
      },
    };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { problem: { message: 'contains a NUL byte, so it is not a text file', hint: SAVE_AS_UTF8, ...position(bytes, nul) } };
  const bad = firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    const byte = `0x${bytes[bad]!.toString(16).toUpperCase().padStart(2, '0')}`;
    return { problem: { message: `is not valid UTF-8 (byte ${byte})`, hint: `${SAVE_AS_UTF8} (Latin-1 and Windows-1252 are not)`, ...position(bytes, bad) } };
  }
  return { text: bytes.toString('utf8') };
}

/** 1-based line and column (in characters) of a byte offset; the bytes before it are valid UTF-8. */
function position(bytes: Buffer, offset: number): { line: number; column: number } {
  const before = bytes.subarray(0, offset).toString('utf8');
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: [...before.slice(lineStart)].length + 1 };
}
