// SPDX-License-Identifier: LGPL-2.1-or-later
// src/web/sframe.js against the SFrame working group's vectors (RFC 9605
// Appendix C and the AES-256-CTR suites 6-8), the files the C tests read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hex, toHex, loadVectors, web } from './util.mjs';

const sf = await web('sframe.js');
const main = loadVectors('sframe-wg__test-vectors.json');
const aes256 = loadVectors('sframe-wg__test-vectors-aes256.json');

test('header vectors encode and decode', () => {
  assert.equal(main.header.length, 289);
  for (const v of main.header) {
    assert.equal(toHex(sf.encodeHeader(v.kid, v.ctr)), v.encoded, `kid ${v.kid} ctr ${v.ctr}`);
    const h = sf.decodeHeader(hex(v.encoded));
    assert.deepEqual([h.kid, h.ctr, h.length], [v.kid, v.ctr, v.encoded.length / 2]);
  }
});

test('non-minimal and cut-short headers are malformed', () => {
  for (const bad of ['', '80', '8001', '0800', '9000ff', 'f0ffffffffffffff']) {
    assert.throws(() => sf.decodeHeader(hex(bad)), (e) => e.kind === 'malformed', bad);
  }
});

test('AES-CTR + HMAC AEAD vectors, suites 1-3 and 6-8', async () => {
  const cases = [...main.aes_ctr_hmac, ...main.aes_256_ctr_hmac];
  assert.equal(cases.length, 6);
  for (const v of cases) {
    const suite = Number(v.cipher_suite);
    const aead = await sf.importAead(suite, hex(v.key));
    const ct = await sf.aeadSeal(aead, hex(v.nonce), hex(v.aad), hex(v.pt));
    assert.equal(toHex(ct), v.ct, `suite ${suite}`);
    assert.equal(toHex(await sf.aeadOpen(aead, hex(v.nonce), hex(v.aad), ct)), v.pt);
    ct[ct.length - 1] ^= 1;
    await assert.rejects(sf.aeadOpen(aead, hex(v.nonce), hex(v.aad), ct), (e) => e.kind === 'auth');
  }
});

test('SFrame vectors, suites 1-8: keys, salts, nonces and frames', async () => {
  const cases = [...main.sframe, ...aes256.sframe_aes_256_ctr_hmac];
  assert.deepEqual(cases.map((v) => Number(v.cipher_suite)), [1, 2, 3, 4, 5, 6, 7, 8]);
  for (const v of cases) {
    const suite = Number(v.cipher_suite);
    const { key, salt } = await sf.deriveKeyAndSalt(suite, v.kid, hex(v.base_key));
    assert.equal(toHex(key), v.sframe_key, `key, suite ${suite}`);
    assert.equal(toHex(salt), v.sframe_salt, `salt, suite ${suite}`);
    assert.equal(toHex(sf.nonceFor(salt, v.ctr)), v.nonce);
    const k = await sf.SFrameKey.create(suite, v.kid, hex(v.base_key));
    const ct = await k.seal(v.ctr, hex(v.metadata), hex(v.pt));
    assert.equal(toHex(ct), v.ct, `frame, suite ${suite}`);
    const hdr = sf.decodeHeader(ct);
    assert.equal(toHex(await k.open(hdr, hex(v.metadata), ct)), v.pt);
    const other = hex(v.metadata);
    other[0] ^= 1;
    await assert.rejects(k.open(hdr, other, ct), (e) => e.kind === 'auth', 'metadata is authenticated');
  }
});

test("the page's self-test carries the working group's vectors and passes", async () => {
  const st = await web('selftest.js');
  const files = [...main.sframe, ...aes256.sframe_aes_256_ctr_hmac];
  assert.equal(st.VECTORS.length, files.length);
  st.VECTORS.forEach((v, i) => {
    const f = files[i];
    assert.deepEqual([BigInt(v.suite), v.kid, v.ctr, v.baseKey, v.metadata, v.pt, v.ct],
      [f.cipher_suite, f.kid, f.ctr, f.base_key, f.metadata, f.pt, f.ct]);
  });
  const r = await st.runSelfTest();
  assert.deepEqual(r.failures, []);
  assert.ok(r.passed);
});
