// SPDX-License-Identifier: LGPL-2.1-or-later
// SFrame (RFC 9605) on WebCrypto: the cipher suites, the header, the key and
// salt of a KID, and sealing and opening one frame. KIDs and counters are
// BigInt: they range over 64 bits, past what a JavaScript number holds.
// No e2call policy here (that is keys.js and stream.js).

const subtle = globalThis.crypto.subtle;
const enc = new TextEncoder();

// RFC 9605 section 4.5 and draft-barnes-sframe-iana-256 (suites 6-8).
// nk: key bytes (enc_key || auth_key for CTR suites), nka: enc_key bytes.
export const SUITES = new Map([
  [1, { name: 'AES_128_CTR_HMAC_SHA256_80', hash: 'SHA-256', nk: 48, nka: 16, nt: 10, gcm: false }],
  [2, { name: 'AES_128_CTR_HMAC_SHA256_64', hash: 'SHA-256', nk: 48, nka: 16, nt: 8, gcm: false }],
  [3, { name: 'AES_128_CTR_HMAC_SHA256_32', hash: 'SHA-256', nk: 48, nka: 16, nt: 4, gcm: false }],
  [4, { name: 'AES_128_GCM_SHA256_128', hash: 'SHA-256', nk: 16, nka: 16, nt: 16, gcm: true }],
  [5, { name: 'AES_256_GCM_SHA512_128', hash: 'SHA-512', nk: 32, nka: 32, nt: 16, gcm: true }],
  [6, { name: 'AES_256_CTR_HMAC_SHA512_80', hash: 'SHA-512', nk: 96, nka: 32, nt: 10, gcm: false }],
  [7, { name: 'AES_256_CTR_HMAC_SHA512_64', hash: 'SHA-512', nk: 96, nka: 32, nt: 8, gcm: false }],
  [8, { name: 'AES_256_CTR_HMAC_SHA512_32', hash: 'SHA-512', nk: 96, nka: 32, nt: 4, gcm: false }],
]);
export const DEFAULT_SUITE = 6;
export const NONCE_LEN = 12;
export const HEADER_MAX = 17;

export class SFrameError extends Error {
  // kind: 'malformed' (not a header, or cut short) or 'auth' (no tag matched)
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

export function suiteInfo(suite) {
  const info = SUITES.get(suite);
  if (!info) throw new RangeError(`unknown cipher suite ${suite}`);
  return info;
}

const U64_MAX = (1n << 64n) - 1n;

// Bytes an extended field needs (0: the value fits in the config byte).
function extendedLen(v) {
  if (v < 8n) return 0;
  let n = 0;
  for (let x = v; x > 0n; x >>= 8n) n++;
  return n;
}

function putBE(out, pos, v, n) {
  for (let i = n - 1; i >= 0; i--) {
    out[pos + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

function getBE(bytes, pos, n) {
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(bytes[pos + i]);
  return v;
}

// RFC 9605 section 4.3: config byte X K(3) Y C(3), then KID and counter in
// their minimal big-endian encodings.
export function encodeHeader(kid, ctr) {
  if (kid < 0n || kid > U64_MAX || ctr < 0n || ctr > U64_MAX) throw new RangeError('KID or counter out of range');
  const kl = extendedLen(kid), cl = extendedLen(ctr);
  const out = new Uint8Array(1 + kl + cl);
  out[0] = (kl ? 0x80 | ((kl - 1) << 4) : Number(kid) << 4) | (cl ? 0x08 | (cl - 1) : Number(ctr));
  putBE(out, 1, kid, kl);
  putBE(out, 1 + kl, ctr, cl);
  return out;
}

function readField(bytes, pos, extended, bits) {
  if (!extended) return { value: BigInt(bits), pos };
  const n = bits + 1;
  if (bytes.length - pos < n) throw new SFrameError('malformed', 'SFrame header cut short');
  const value = getBE(bytes, pos, n);
  if (extendedLen(value) !== n) throw new SFrameError('malformed', 'SFrame header not minimal');
  return { value, pos: pos + n };
}

// { kid, ctr, length } of the header at the start of bytes; SFrameError 'malformed' otherwise.
export function decodeHeader(bytes) {
  if (bytes.length < 1) throw new SFrameError('malformed', 'no SFrame header');
  const c = bytes[0];
  const k = readField(bytes, 1, c & 0x80, (c >> 4) & 7);
  const r = readField(bytes, k.pos, c & 0x08, c & 7);
  return { kid: k.value, ctr: r.value, length: r.pos };
}

function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function be(v, n) {
  const out = new Uint8Array(n);
  putBE(out, 0, BigInt(v), n);
  return out;
}

async function hkdf(hash, ikm, info, bytes) {
  const k = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'HKDF', hash, salt: new Uint8Array(0), info }, k, bytes * 8);
  return new Uint8Array(bits);
}

// The AEAD of a suite under raw key bytes, as CryptoKeys (non-extractable).
export async function importAead(suite, key) {
  const info = suiteInfo(suite);
  if (key.length !== info.nk) throw new RangeError('wrong key length for the suite');
  if (info.gcm) {
    return { info, gcmKey: await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt']) };
  }
  const encKey = await subtle.importKey('raw', key.subarray(0, info.nka), 'AES-CTR', false, ['encrypt', 'decrypt']);
  const authKey = await subtle.importKey('raw', key.subarray(info.nka), { name: 'HMAC', hash: info.hash }, false, ['sign']);
  return { info, encKey, authKey };
}

// RFC 9605 section 4.5.1: the tag is the first Nt bytes of
// HMAC(auth_key, len(AAD) || len(ct) || Nt || nonce || AAD || ct), lengths 8-byte big-endian.
async function ctrTag(aead, nonce, aad, ct) {
  const input = concat(be(aad.length, 8), be(ct.length, 8), be(aead.info.nt, 8), nonce, aad, ct);
  return new Uint8Array(await subtle.sign('HMAC', aead.authKey, input)).subarray(0, aead.info.nt);
}

function ctrParams(nonce) {
  const counter = new Uint8Array(16);
  counter.set(nonce);
  return { name: 'AES-CTR', counter, length: 32 };
}

export async function aeadSeal(aead, nonce, aad, pt) {
  if (aead.info.gcm) {
    const out = await subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 }, aead.gcmKey, pt);
    return new Uint8Array(out);
  }
  const ct = new Uint8Array(await subtle.encrypt(ctrParams(nonce), aead.encKey, pt));
  return concat(ct, await ctrTag(aead, nonce, aad, ct));
}

// Constant time in the tag's length: no early exit on the first differing byte.
function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

// The plaintext, or SFrameError 'auth'. The tag is checked before anything is decrypted.
export async function aeadOpen(aead, nonce, aad, ctAndTag) {
  const nt = aead.info.nt;
  if (ctAndTag.length < nt) throw new SFrameError('malformed', 'shorter than a tag');
  if (aead.info.gcm) {
    try {
      const out = await subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 }, aead.gcmKey, ctAndTag);
      return new Uint8Array(out);
    } catch {
      throw new SFrameError('auth', 'authentication failed');
    }
  }
  const ct = ctAndTag.subarray(0, ctAndTag.length - nt);
  const tag = await ctrTag(aead, nonce, aad, ct);
  if (!sameBytes(tag, ctAndTag.subarray(ctAndTag.length - nt))) throw new SFrameError('auth', 'authentication failed');
  return new Uint8Array(await subtle.decrypt(ctrParams(nonce), aead.encKey, ct));
}

// RFC 9605 section 4.4.2: the SFrame key and salt of one KID from its base key.
export async function deriveKeyAndSalt(suite, kid, baseKey) {
  const info = suiteInfo(suite);
  const tail = concat(be(kid, 8), be(suite, 2));
  const key = await hkdf(info.hash, baseKey, concat(enc.encode('SFrame 1.0 Secret key '), tail), info.nk);
  const salt = await hkdf(info.hash, baseKey, concat(enc.encode('SFrame 1.0 Secret salt '), tail), NONCE_LEN);
  return { key, salt };
}

export function nonceFor(salt, ctr) {
  const nonce = be(ctr, NONCE_LEN);
  for (let i = 0; i < NONCE_LEN; i++) nonce[i] ^= salt[i];
  return nonce;
}

// One KID's SFrame key: seal(ctr, metadata, pt) gives header || ct || tag with
// AAD = header || metadata; open(metadata, sframe) the plaintext.
export class SFrameKey {
  static async create(suite, kid, baseKey) {
    const { key, salt } = await deriveKeyAndSalt(suite, kid, baseKey);
    const aead = await importAead(suite, key);
    key.fill(0);
    return new SFrameKey(suite, kid, aead, salt);
  }

  constructor(suite, kid, aead, salt) {
    this.suite = suite;
    this.kid = kid;
    this.aead = aead;
    this.salt = salt;
  }

  async seal(ctr, metadata, pt) {
    const header = encodeHeader(this.kid, ctr);
    const body = await aeadSeal(this.aead, nonceFor(this.salt, ctr), concat(header, metadata), pt);
    return concat(header, body);
  }

  // sframe: header || ct || tag, the header already decoded as hdr.
  async open(hdr, metadata, sframe) {
    const header = sframe.subarray(0, hdr.length);
    return aeadOpen(this.aead, nonceFor(this.salt, hdr.ctr), concat(header, metadata), sframe.subarray(hdr.length));
  }
}

export const bytes = { concat, be };
