// SPDX-License-Identifier: LGPL-2.1-or-later
// The page's crypto worker: derives the room's shared key from the secret
// (then drops the secret), and runs every encoded transform of the page
// (RTCRtpScriptTransform): senders seal each frame or drop it, receivers open
// each frame or drop it, and report each stream's state and counters.
// The secret arrives by postMessage from the page (a typed secret) or from
// the driver straight into this worker (e2callSetSecret over the DevTools
// protocol); it is never posted back, logged or stored.
import { deriveSharedKey, SecretError } from './keys.js';
import { Sender, Receiver, Health, protectFrame, openFrame, SWITCH_DELAY_MS, GRACE_MS } from './stream.js';
import { codecFromMimeType, isKeyframe } from './envelope.js';
import { runSelfTest } from './selftest.js';

// The known-answer self-test runs first; until it passed no key is taken,
// so nothing is sealed or opened.
const selfTest = runSelfTest().then((r) => {
  event('self-test', { passed: r.passed, vectors: r.vectors, failures: r.failures });
  return r.passed;
});

let suite = 6;
let room = null;
// The page's config (room, suite) comes by message; a secret the driver
// gives the worker directly may arrive first, and waits for it.
let configured;
const config = new Promise((resolve) => (configured = resolve));
let switchDelayMs = SWITCH_DELAY_MS;
let keysInstalled = 0;
const senders = new Map(); // id -> { sender, kind, codec, stats }
const receivers = new Map(); // id -> stream state
const sharedKeys = []; // newest last: what a stream created later starts with

function post(msg) {
  self.postMessage(msg);
}

function event(name, fields) {
  post({ type: 'event', event: name, ...fields });
}

function hexKid(kid) {
  return kid === undefined ? undefined : kid.toString(16).padStart(16, '0');
}

// A new secret: receivers take it at once; senders after the switch delay
// (the first secret at once). The secret itself is dropped here.
async function setSecret(secret, rekey) {
  let shared;
  const t0 = performance.now();
  try {
    await config;
    if (!(await selfTest)) throw new Error('the self-test failed');
    shared = await deriveSharedKey(secret, room);
  } catch (e) {
    event('secret-invalid', { message: e instanceof SecretError ? e.message : 'the key could not be derived' });
    return;
  } finally {
    secret = null;
  }
  const now = performance.now();
  const first = keysInstalled === 0;
  keysInstalled++;
  sharedKeys.push(shared);
  if (sharedKeys.length > 4) sharedKeys.shift();
  for (const r of receivers.values()) r.receiver.addKey(shared, now);
  for (const s of senders.values()) s.sender.setKey(shared, first ? now : now + switchDelayMs);
  event(first ? 'key-ready' : 'rekeyed', { 'derive-ms': Math.round(now - t0), 'switch-delay-ms': first ? 0 : switchDelayMs, 'grace-ms': Math.max(GRACE_MS, 2 * switchDelayMs) });
}

// The driver's entry point (Runtime.evaluate in this worker): the secret
// never passes through the page.
self.e2callSetSecret = (secret) => {
  setSecret(secret, keysInstalled > 0);
  return true;
};

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'config') {
    suite = m.suite ?? suite;
    room = String(m.room);
    switchDelayMs = m.switchDelayMs ?? switchDelayMs;
    configured();
  } else if (m.type === 'secret') {
    setSecret(m.secret, keysInstalled > 0);
    m.secret = null;
  } else if (m.type === 'stats') {
    // Each receiver's frame times go once, with the stats that drain them.
    post({ type: 'stats', senders: [...senders].map(([id, s]) => ({ id, ...s.stats })), receivers: [...receivers].map(([id, r]) => ({ id, state: r.health.state, ...r.stats, times: r.times.splice(0) })) });
  }
};

function newSenderStats() {
  return { frames: 0, protected: 0, dropped: 0, keyframes: 0, encryptUs: 0, kid: undefined, keySwitches: 0 };
}

function newReceiverStats() {
  return { frames: 0, decrypted: 0, failed: 0, replayed: 0, unencrypted: 0, stale: 0, kidLimited: 0, malformed: 0, noKey: 0, waitingKeyframe: 0, decryptUs: 0, mismatchEvents: 0, matchEvents: 0 };
}

// Frames go through one at a time (awaited), as a TransformStream does.
function pipe(readable, writable, fn) {
  readable.pipeThrough(new TransformStream({ transform: fn })).pipeTo(writable).catch(() => {});
}

function frameCodec(frame, fallback) {
  try {
    return codecFromMimeType(frame.getMetadata().mimeType) || fallback;
  } catch {
    return fallback;
  }
}

function startSender(transformer, opts) {
  // Video starts with a keyframe sealed: until one is, deltas (which no
  // receiver could decode) are dropped and the page asked for a keyframe.
  const s = { sender: new Sender(suite), kind: opts.kind, stats: newSenderStats(), needKeyframe: opts.kind === 'video', asked: false };
  for (const k of sharedKeys) s.sender.setKey(k, 0);
  senders.set(opts.id, s);
  pipe(transformer.readable, transformer.writable, async (frame, out) => {
    s.stats.frames++;
    const codec = frameCodec(frame, opts.codec);
    if (s.needKeyframe && s.sender.hasKey() && frame.type !== 'key') {
      s.stats.dropped++;
      if (!s.asked) post({ type: 'keyframe-needed', id: opts.id });
      s.asked = true;
      return;
    }
    const t0 = performance.now();
    const info = {};
    const sealed = codec ? await protectFrame(s.sender, codec, t0, new Uint8Array(frame.data), info) : null;
    if (!sealed) {
      s.stats.dropped++; // never sent in clear
      return;
    }
    s.stats.encryptUs += (performance.now() - t0) * 1000;
    s.stats.protected++;
    if (s.kind === 'video' && frame.type === 'key') {
      s.stats.keyframes++;
      s.needKeyframe = s.asked = false;
    }
    s.stats.kid = hexKid(s.sender.kid);
    frame.data = sealed.buffer;
    out.enqueue(frame);
    if (info.switched) {
      s.stats.keySwitches++;
      event('sending-switched', { track: s.kind, kid: hexKid(s.sender.kid) });
      // No encoder restart here: receivers already hold the new key (receive
      // first), and a restart loses frames; a receiver that needs a keyframe asks.
    }
  });
}

const DROP_COUNTER = { auth: 'failed', replayed: 'replayed', unencrypted: 'unencrypted', stale: 'stale', 'kid-limited': 'kidLimited', malformed: 'malformed', 'no-key': 'noKey' };
const HEALTH_EVENT = { decrypting: 'decrypting', mismatch: 'encryption-secret-mismatch', match: 'encryption-secret-match', 'secret-missing': 'encryption-secret-missing', 'secret-found': 'encryption-secret-found' };

// Frames opened since the last stats, for latency: [KID in hex, counter in
// decimal (64-bit: JSON numbers cannot hold them), wall-clock ms]. A driver
// looks them up in the publishers' frame-time table (e2call(1), MEDIA QUALITY
// FIGURES); drained every second, so the cap only guards a stalled page.
const MAX_TIMES = 4096;

function wallClockMs() {
  return performance.timeOrigin + performance.now();
}

function startReceiver(transformer, opts) {
  const r = { receiver: new Receiver(suite, Math.max(GRACE_MS, 2 * switchDelayMs)), health: new Health(), stats: newReceiverStats(), needKeyframe: opts.kind === 'video', times: [] };
  for (const k of sharedKeys) r.receiver.addKey(k, performance.now());
  receivers.set(opts.id, r);
  pipe(transformer.readable, transformer.writable, async (frame, out) => {
    r.stats.frames++;
    const codec = frameCodec(frame, opts.codec);
    const t0 = performance.now();
    const res = codec ? await openFrame(r.receiver, codec, t0, new Uint8Array(frame.data)) : { status: 'unencrypted' };
    const ev = r.health.feed(res.status);
    if (ev) {
      if (ev === 'mismatch') r.stats.mismatchEvents++;
      if (ev === 'match') r.stats.matchEvents++;
      event(HEALTH_EVENT[ev], { stream: opts.id, track: opts.kind, kid: hexKid(res.kid), cause: ev === 'mismatch' ? r.health.cause : undefined });
      // Ask for a keyframe when a stream (re)starts to open, never while it stays in mismatch.
      if (ev !== 'mismatch' && ev !== 'secret-missing' && opts.kind === 'video') {
        r.needKeyframe = true;
        try { transformer.sendKeyFrameRequest?.(); } catch { /* not every sender answers */ }
      }
    }
    if (res.status !== 'ok') {
      r.stats[DROP_COUNTER[res.status]]++;
      return; // what does not open never reaches the decoder
    }
    r.stats.decryptUs += (performance.now() - t0) * 1000;
    r.stats.decrypted++;
    if (r.times.length < MAX_TIMES) r.times.push([hexKid(res.kid), String(res.ctr), wallClockMs()]);
    if (r.needKeyframe) {
      if (!isKeyframe(codec, res.data)) {
        r.stats.waitingKeyframe++;
        return;
      }
      r.needKeyframe = false;
    }
    frame.data = res.data.buffer;
    out.enqueue(frame);
  });
}

self.onrtctransform = (e) => {
  const opts = e.transformer.options;
  if (opts.side === 'send') startSender(e.transformer, opts);
  else startReceiver(e.transformer, opts);
};
