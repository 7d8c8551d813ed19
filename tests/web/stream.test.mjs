// SPDX-License-Identifier: LGPL-2.1-or-later
// src/web's e2call layer: key schedule, KIDs, envelopes, senders and
// receivers (rekey, replay, epochs, budgets) and the mismatch accounting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hex, toHex, web } from './util.mjs';

const keys = await web('keys.js');
const stream = await web('stream.js');
const env = await web('envelope.js');

const shared = (s, room = '42') => keys.deriveSharedKey(s, room, 1000);
const vp8Key = () => Uint8Array.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0xa0, 0x00, 0x78, 0x00, ...Array(40).keys()]);
const vp8Delta = () => Uint8Array.from([0x31, 0x02, 0x00, ...Array(30).keys()]);

test('rooms are canonical as Janus reads them', () => {
  assert.equal(keys.canonicalRoom('0042'), '42');
  assert.equal(keys.canonicalRoom('000'), '0');
  assert.equal(keys.canonicalRoom('018446744073709551615'), '18446744073709551615');
  assert.equal(keys.canonicalRoom('18446744073709551616'), '18446744073709551616');
  assert.equal(keys.canonicalRoom('00184467440737095516160'), '00184467440737095516160');
  assert.equal(keys.canonicalRoom('lobby'), 'lobby');
  assert.throws(() => keys.canonicalRoom(''));
  assert.throws(() => keys.canonicalRoom('a\tb'));
});

test('secrets: 8 to 256 code points, no NUL; errors give counts only', () => {
  assert.doesNotThrow(() => keys.checkSecret('ünïcödé!'));
  assert.throws(() => keys.checkSecret('short'), /5 characters/);
  assert.throws(() => keys.checkSecret('x'.repeat(257)), /257 characters/);
  assert.throws(() => keys.checkSecret('abcdefgh\0'), /NUL/);
});

test('the shared key is PBKDF2-HMAC-SHA256 over "e2call/1 room " || room', async () => {
  const a = await keys.deriveSharedKey('correct horse', '0042', 1000);
  const b = await keys.deriveSharedKey('correct horse', '42', 1000);
  const c = await keys.deriveSharedKey('correct horse', '43', 1000);
  assert.equal(toHex(a), toHex(b));
  assert.notEqual(toHex(a), toHex(c));
  const pw = await crypto.subtle.importKey('raw', new TextEncoder().encode('correct horse'), 'PBKDF2', false, ['deriveBits']);
  const ref = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new TextEncoder().encode('e2call/1 room 42'), iterations: 1000 }, pw, 256);
  assert.equal(toHex(a), toHex(new Uint8Array(ref)));
});

test('KIDs carry bit 63 and the epoch; receivers take the epochs next to theirs', () => {
  const kid = keys.drawKid(2049);
  assert.ok(keys.isFormat2Kid(kid));
  assert.equal(Number((kid >> 52n) & 0x7ffn), 1);
  assert.equal(keys.kidEpoch(kid, 2049), 2049);
  assert.equal(keys.kidEpoch(kid, 2050), 2049);
  assert.equal(keys.kidEpoch(kid, 2048), 2049);
  assert.equal(keys.kidEpoch(kid, 2051), null);
  assert.equal(keys.kidEpoch(kid & ~(1n << 63n), 2049), null);
});

test('H.264 escaping round-trips and refuses what no escape makes', () => {
  const x = hex('0000000100000203000000ff0000');
  const e = env.escape(x);
  assert.equal(toHex(e), '0000030001000003020300000300ff0000');
  assert.equal(toHex(env.unescape(e)), toHex(x));
  assert.equal(env.unescape(hex('000001')), null);
  assert.equal(env.unescape(hex('00000304')), null);
});

test('clear prefixes: VP8 10/3, VP9 10/3, Opus 1; short frames are not sent', () => {
  assert.equal(env.clearPrefixLen('vp8', vp8Key()), 10);
  assert.equal(env.clearPrefixLen('vp8', vp8Delta()), 3);
  assert.equal(env.clearPrefixLen('vp9', hex('82' + '00'.repeat(20))), 10);
  assert.equal(env.clearPrefixLen('vp9', hex('86' + '00'.repeat(20))), 3);
  assert.equal(env.clearPrefixLen('opus', hex('fc0102')), 1);
  assert.equal(env.senderPrefixLen('vp8', vp8Key().subarray(0, 6)), null);
  assert.equal(env.codecFromMimeType('video/VP8'), 'vp8');
  assert.equal(env.codecFromMimeType('audio/red'), null);
});

async function pair(suite = 6) {
  const k = await shared('secret number one');
  const tx = new stream.Sender(suite);
  const rx = new stream.Receiver(suite);
  tx.setKey(k, 0);
  rx.addKey(k, 0);
  return { k, tx, rx };
}

test('a frame opens once; replays, tampering and plain frames are told apart', async () => {
  const { tx, rx } = await pair();
  const f = await stream.protectFrame(tx, 'vp8', 0, vp8Key());
  assert.equal(f.length, vp8Key().length + 9 + 10); // 8-byte KID, counter 0 in the config byte
  assert.equal(toHex(f.subarray(0, 10)), toHex(vp8Key().subarray(0, 10)));
  const r = await stream.openFrame(rx, 'vp8', 0, f);
  assert.equal(r.status, 'ok');
  assert.equal(toHex(r.data), toHex(vp8Key()));
  assert.equal((await stream.openFrame(rx, 'vp8', 0, f)).status, 'replayed');
  const g = await stream.protectFrame(tx, 'vp8', 0, vp8Delta());
  g[1] ^= 1; // the clear prefix is authenticated
  assert.equal((await stream.openFrame(rx, 'vp8', 0, g)).status, 'auth');
  assert.equal((await stream.openFrame(rx, 'vp8', 0, vp8Delta())).status, 'unencrypted');
});

test('the replay window keeps 128 counters and accepts reordering inside it', async () => {
  const { tx, rx } = await pair();
  const frames = [];
  for (let i = 0; i < 200; i++) frames.push(await stream.protectFrame(tx, 'opus', 0, hex('fc0102030405')));
  assert.equal((await stream.openFrame(rx, 'opus', 0, frames[150])).status, 'ok');
  assert.equal((await stream.openFrame(rx, 'opus', 0, frames[100])).status, 'ok');
  assert.equal((await stream.openFrame(rx, 'opus', 0, frames[22])).status, 'replayed');
  assert.equal((await stream.openFrame(rx, 'opus', 0, frames[23])).status, 'ok');
  assert.equal((await stream.openFrame(rx, 'opus', 0, frames[199])).status, 'ok');
});

test('rekey: the new key opens at once, the previous one for the grace period', async () => {
  const { tx, rx } = await pair();
  const k2 = await shared('secret number two');
  rx.addKey(k2, 1000);
  tx.setKey(k2, 3000); // the switch delay
  const old = await stream.protectFrame(tx, 'opus', 2000, hex('fc01020304'));
  assert.equal((await stream.openFrame(rx, 'opus', 2000, old)).status, 'ok');
  const info = {};
  const fresh = await stream.protectFrame(tx, 'opus', 3000, hex('fc01020304'), info);
  assert.ok(info.switched && info.newKid);
  assert.equal((await stream.openFrame(rx, 'opus', 3000, fresh)).status, 'ok');
  const late = await stream.protectFrame(new stream.Sender(6), 'opus', 0, hex('fc01')); // no key: not sent
  assert.equal(late, null);
  const tx1 = new stream.Sender(6);
  tx1.setKey((await pair()).k, 0);
  const underOld = await stream.protectFrame(tx1, 'opus', 0, hex('fc01020304'));
  assert.equal((await stream.openFrame(rx, 'opus', 10999, underOld)).status, 'ok');
  const underOld2 = await stream.protectFrame(tx1, 'opus', 0, hex('fc01020304'));
  assert.equal((await stream.openFrame(rx, 'opus', 11000, underOld2)).status, 'auth');
  assert.equal(rx.keyCount(11000), 1);
});

test('a new epoch draws a new KID (a rotation, not a rekey); stale KIDs are refused', async () => {
  const { tx, rx } = await pair();
  let t = 1_700_000_000;
  stream.setWallclockForTest(() => t);
  try {
    await stream.protectFrame(tx, 'opus', 0, hex('fc0102'));
    const kid1 = tx.kid;
    t += 600;
    const info = {};
    const f = await stream.protectFrame(tx, 'opus', 0, hex('fc0102'), info);
    assert.ok(info.rotated && !info.switched);
    assert.notEqual(tx.kid, kid1);
    assert.equal(tx.stats.previousKid, kid1);
    assert.equal((await stream.openFrame(rx, 'opus', 0, f)).status, 'ok');
    t += 1200;
    const g = await stream.protectFrame(new stream.Sender(6), 'opus', 0, f); // (no key: null)
    assert.equal(g, null);
    assert.equal((await stream.openFrame(rx, 'opus', 0, f)).status, 'stale');
  } finally {
    stream.setWallclockForTest(null);
  }
});

test('no key held; new KIDs are derived within a budget of 16, then 4 a second', async () => {
  const k = await shared('secret number one');
  const empty = new stream.Receiver(6);
  const tx = new stream.Sender(6);
  tx.setKey(k, 0);
  const f = await stream.protectFrame(tx, 'opus', 0, hex('fc0102'));
  assert.equal((await stream.openFrame(empty, 'opus', 0, f)).status, 'no-key');
  const rx = new stream.Receiver(6);
  rx.addKey(await shared('another secret'), 0);
  const statuses = [];
  for (let i = 0; i < 18; i++) {
    const s = new stream.Sender(6);
    s.setKey(k, 0);
    statuses.push((await stream.openFrame(rx, 'opus', 0, await stream.protectFrame(s, 'opus', 0, hex('fc0102')))).status);
  }
  assert.deepEqual(statuses.slice(0, 16), Array(16).fill('auth'));
  assert.deepEqual(statuses.slice(16), ['kid-limited', 'kid-limited']);
  const s = new stream.Sender(6);
  s.setKey(k, 0);
  const late = await stream.protectFrame(s, 'opus', 0, hex('fc0102'));
  assert.equal((await stream.openFrame(rx, 'opus', 250, late)).status, 'auth');
});

test('H.264: every clear byte and the order of units are authenticated', async () => {
  const { tx, rx } = await pair(4);
  const au = hex('00000001' + '6742c01e' + 'ab' + '00000001' + '68ce3c80' + '00000001' + '65888400ff000001aa' + '000001' + '41e000ff');
  const p = await stream.protectFrame(tx, 'h264', 0, au);
  assert.ok(p);
  const r = await stream.openFrame(rx, 'h264', 0, p);
  assert.equal(r.status, 'ok');
  assert.equal(toHex(r.data), toHex(au));
  const q = await stream.protectFrame(tx, 'h264', 0, au);
  const i = toHex(q).indexOf('6742c01eab') / 2;
  q[i + 4] ^= 1; // a parameter-set byte
  assert.equal((await stream.openFrame(rx, 'h264', 0, q)).status, 'auth');
  assert.equal(await stream.protectFrame(tx, 'h264', 0, hex('000000016742c01e')), null);
  assert.equal((await stream.openFrame(rx, 'h264', 0, hex('000000016742c01e0000000165aa'))).status, 'unencrypted');
});

test('health: ten failures of one kind make a mismatch; a good frame a match', () => {
  const h = new stream.Health();
  assert.equal(h.feed('ok'), 'decrypting');
  for (let i = 0; i < 9; i++) assert.equal(h.feed('auth'), null);
  for (let i = 0; i < 20; i++) assert.equal(h.feed('replayed'), null);
  for (let i = 0; i < 9; i++) assert.equal(h.feed('unencrypted'), null);
  assert.equal(h.feed('auth', true), null);
  assert.equal(h.feed('auth'), 'mismatch');
  assert.equal(h.cause, 'wrong-secret');
  assert.equal(h.feed('unencrypted'), null);
  assert.equal(h.feed('ok'), 'match');
  assert.equal(h.feed('no-key'), 'secret-missing');
  assert.equal(h.feed('no-key'), null);
  assert.equal(h.feed('ok'), 'secret-found');
  for (let i = 0; i < 9; i++) h.feed('stale');
  assert.equal(h.feed('stale'), 'mismatch');
  assert.equal(h.cause, 'stale');
});
