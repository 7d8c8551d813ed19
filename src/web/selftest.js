// SPDX-License-Identifier: LGPL-2.1-or-later
// The page's known-answer self-test, run before it joins (as e2call runs
// one of its own): RFC 9605's SFrame vectors for suites 1-5 and the
// AES-256-CTR ones for 6-8 (the working group's files in tests/data/sframe;
// the Node tests check that these copies match them), sealed and opened
// with this browser's WebCrypto, and a frame of each codec through a sender
// and a receiver of e2call's format.
import { SFrameKey, decodeHeader } from './sframe.js';
import { Sender, Receiver, protectFrame, openFrame } from './stream.js';

export const VECTORS = [
  { suite: 1, kid: 291n, ctr: 17767n, baseKey: '000102030405060708090a0b0c0d0e0f', metadata: '4945544620534672616d65205747', pt: '64726166742d696574662d736672616d652d656e63', ct: '9901234567449408b6f490086165b9d6f62b24ae1a59a56486b4ae8ed036b88912e24f11' },
  { suite: 2, kid: 291n, ctr: 17767n, baseKey: '000102030405060708090a0b0c0d0e0f', metadata: '4945544620534672616d65205747', pt: '64726166742d696574662d736672616d652d656e63', ct: '99012345673f31438db4d09434e43afa0f8a2f00867a2be085046a9f5cb4f101d607' },
  { suite: 3, kid: 291n, ctr: 17767n, baseKey: '000102030405060708090a0b0c0d0e0f', metadata: '4945544620534672616d65205747', pt: '64726166742d696574662d736672616d652d656e63', ct: '990123456717fc8af28a5a695afcfc6c8df6358a17e26b2fcb3bae32e443' },
  { suite: 4, kid: 291n, ctr: 17767n, baseKey: '000102030405060708090a0b0c0d0e0f', metadata: '4945544620534672616d65205747', pt: '64726166742d696574662d736672616d652d656e63', ct: '9901234567b7412c2513a1b66dbb48841bbaf17f598751176ad847681a69c6d0b091c07018ce4adb34eb' },
  { suite: 5, kid: 291n, ctr: 17767n, baseKey: '000102030405060708090a0b0c0d0e0f', metadata: '4945544620534672616d65205747', pt: '64726166742d696574662d736672616d652d656e63', ct: '990123456794f509d36e9beacb0e261d99c7d1e972f1fed787d4049f17ca21353c1cc24d56ceabced279' },
  { suite: 6, kid: 291n, ctr: 17767n, baseKey: '000102030405060708090a0b0c0d0e0f', metadata: '4945544620534672616d65205747', pt: '64726166742d696574662d736672616d652d656e63', ct: '9901234567b369e03ec6467ad505ddc84914115069280c5c797555be6e32cde6ac25bc9e' },
  { suite: 7, kid: 291n, ctr: 17767n, baseKey: '000102030405060708090a0b0c0d0e0f', metadata: '4945544620534672616d65205747', pt: '64726166742d696574662d736672616d652d656e63', ct: '990123456797cb5644d8831ff8bdc080249990b24b569144cab2a87be22c20d97976' },
  { suite: 8, kid: 291n, ctr: 17767n, baseKey: '000102030405060708090a0b0c0d0e0f', metadata: '4945544620534672616d65205747', pt: '64726166742d696574662d736672616d652d656e63', ct: '9901234567112a94a288b85b49ffef1d279f2830165c39d76cac8884011c' },
];

const hex = (s) => Uint8Array.from(s.match(/../g) || [], (b) => parseInt(b, 16));
const toHex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');

// Frames whose prefixes and envelopes are exercised: VP8 key and delta, VP9, Opus, H.264.
const FRAMES = [
  ['vp8', '1002009d012aa0007800' + '55'.repeat(40)],
  ['vp8', '310200' + '66'.repeat(30)],
  ['vp9', '82' + '49'.repeat(40)],
  ['opus', 'fc' + '77'.repeat(60)],
  ['h264', '000000016742c01eab0000000168ce3c800000000165888400ff000001aa00000141e000ff'],
];

// { passed, failures: [text] }; never throws.
export async function runSelfTest() {
  const failures = [];
  for (const v of VECTORS) {
    try {
      const k = await SFrameKey.create(v.suite, v.kid, hex(v.baseKey));
      const ct = await k.seal(v.ctr, hex(v.metadata), hex(v.pt));
      if (toHex(ct) !== v.ct) failures.push(`suite ${v.suite}: sealed frame differs from the vector`);
      const pt = await k.open(decodeHeader(ct), hex(v.metadata), ct);
      if (toHex(pt) !== v.pt) failures.push(`suite ${v.suite}: opened frame differs from the vector`);
    } catch (e) {
      failures.push(`suite ${v.suite}: ${e.message}`);
    }
  }
  try {
    const shared = new Uint8Array(32).fill(7);
    const tx = new Sender(6), rx = new Receiver(6);
    tx.setKey(shared, 0);
    rx.addKey(shared, 0);
    for (const [codec, frame] of FRAMES) {
      const p = await protectFrame(tx, codec, 0, hex(frame));
      const r = p ? await openFrame(rx, codec, 0, p) : { status: 'not sealed' };
      if (r.status !== 'ok' || toHex(r.data) !== frame) failures.push(`${codec}: a frame did not come back (${r.status})`);
    }
  } catch (e) {
    failures.push(`frames: ${e.message}`);
  }
  return { passed: failures.length === 0, failures, vectors: VECTORS.length };
}
