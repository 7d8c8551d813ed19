// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers of the Node tests of src/web: where the sources and vectors are,
// hex, and JSON whose integers may exceed 2^53.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

// Node 18 (Debian 12's nodejs) has WebCrypto, but not yet as a global.
if (!globalThis.crypto?.subtle) globalThis.crypto = (await import('node:crypto')).webcrypto;

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceRoot = process.env.E2C_SOURCE_ROOT || path.resolve(here, '../..');
export const webDir = path.join(sourceRoot, 'src', 'web');
export const vectorsDir = path.join(sourceRoot, 'tests', 'data', 'sframe');

export const web = (name) => import(path.join(webDir, name));

export function hex(s) {
  return Uint8Array.from(s.match(/../g) || [], (b) => parseInt(b, 16));
}

export function toHex(u8) {
  return Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');
}

// JSON.parse rounds integers above 2^53 (the header vectors reach 2^64 - 1):
// quote every integer literal outside strings first, then read them as BigInt.
export function loadVectors(name) {
  const text = readFileSync(path.join(vectorsDir, name), 'utf8');
  let out = '', inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c >= '0' && c <= '9') {
      let j = i;
      while (j < text.length && text[j] >= '0' && text[j] <= '9') j++;
      out += '"#' + text.slice(i, j) + '"';
      i = j - 1;
    } else {
      out += c;
    }
  }
  return JSON.parse(out, (k, v) => (typeof v === 'string' && v.startsWith('#') ? BigInt(v.slice(1)) : v));
}
