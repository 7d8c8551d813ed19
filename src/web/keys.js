// SPDX-License-Identifier: LGPL-2.1-or-later
// e2call's key schedule above RFC 9605 (e2call-e2ee(7), KEYS; format 2):
//   shared key = PBKDF2-HMAC-SHA256(secret, "e2call/1 room " || room, 600000, 32)
//   epoch      = floor(unix time / 600)
//   KID        = 1 (bit 63) || epoch mod 2048 (bits 62..52) || 52 random bits
//   base key   = HKDF-SHA256(shared, salt "", "e2call/2 base key" || KID || epoch, 32)
// The shared key is the only slow step: derive it once per secret and room,
// in a worker, and drop the secret afterwards.

import { bytes } from './sframe.js';

const subtle = globalThis.crypto.subtle;
const enc = new TextEncoder();

export const PBKDF2_ITERATIONS = 600000;
export const EPOCH_SECONDS = 600;
export const KID_FORMAT2 = 1n << 63n;
const KID_EPOCH_SHIFT = 52n;
const KID_EPOCH_MASK = 0x7ffn;
const U64_MAX_DIGITS = '18446744073709551615';

export class SecretError extends Error {}

// A valid secret: UTF-8 text of 8 to 256 code points, no NUL (e2call(1)).
// Messages give counts, never content.
export function checkSecret(secret) {
  if (typeof secret !== 'string') throw new SecretError('the secret is not text');
  if (secret.includes('\0')) throw new SecretError('the secret contains a NUL character');
  const n = [...secret].length;
  if (n < 8) throw new SecretError(`the secret has ${n} characters; at least 8 are needed`);
  if (n > 256) throw new SecretError(`the secret has ${n} characters; at most 256 are allowed`);
  if (/[\ud800-\udfff]/u.test(secret)) throw new SecretError('the secret is not valid Unicode');
}

// Numbers lose their leading zeros ("0042" is Janus room 42); digits past
// 2^64 - 1 cannot be a Janus room number and stay as given.
export function canonicalRoom(room) {
  room = String(room);
  if (room.length < 1 || room.length > 128 || !/^[\x20-\x7e]+$/.test(room)) throw new RangeError('invalid room id');
  if (!/^[0-9]+$/.test(room)) return room;
  const stripped = room.replace(/^0+(?=.)/, '');
  const fits = stripped.length < U64_MAX_DIGITS.length ||
    (stripped.length === U64_MAX_DIGITS.length && stripped <= U64_MAX_DIGITS);
  return fits ? stripped : room;
}

// The 32 shared-key bytes. The caller drops the secret once this returns.
export async function deriveSharedKey(secret, room, iterations = PBKDF2_ITERATIONS) {
  checkSecret(secret);
  const password = enc.encode(secret);
  const k = await subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
  password.fill(0);
  const salt = enc.encode('e2call/1 room ' + canonicalRoom(room));
  const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, k, 256);
  return new Uint8Array(bits);
}

export function epochAt(unixSeconds) {
  return unixSeconds < 0 ? 0 : Math.floor(unixSeconds / EPOCH_SECONDS);
}

export function nowEpoch() {
  return epochAt(Date.now() / 1000);
}

export function drawKid(epoch) {
  const r = new Uint8Array(8);
  globalThis.crypto.getRandomValues(r);
  let random = 0n;
  for (const b of r) random = (random << 8n) | BigInt(b);
  r.fill(0);
  return KID_FORMAT2 | ((BigInt(epoch) & KID_EPOCH_MASK) << KID_EPOCH_SHIFT) | (random & ((1n << KID_EPOCH_SHIFT) - 1n));
}

export function isFormat2Kid(kid) {
  return (kid & KID_FORMAT2) !== 0n;
}

// The full epoch E in {now - 1, now, now + 1} whose 11 bits the KID carries, or null (stale).
export function kidEpoch(kid, now) {
  if (!isFormat2Kid(kid)) return null;
  const bits = Number((kid >> KID_EPOCH_SHIFT) & KID_EPOCH_MASK);
  for (const e of [now, now - 1, now + 1]) if (e >= 0 && (e & 0x7ff) === bits) return e;
  return null;
}

export async function deriveBaseKey(shared, kid, epoch) {
  const k = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveBits']);
  const info = bytes.concat(enc.encode('e2call/2 base key'), bytes.be(kid, 8), bytes.be(epoch, 4));
  const bits = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info }, k, 256);
  return new Uint8Array(bits);
}
