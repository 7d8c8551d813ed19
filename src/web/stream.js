// SPDX-License-Identifier: LGPL-2.1-or-later
// One sending track and one received stream in e2call's format
// (e2call-e2ee(7), COUNTERS, ROTATION AND REKEY and RECEIVING): KIDs and
// their rotation, the delayed switch after a rekey, the keys a receiver
// holds (the previous one for a grace period), its KID table, replay
// windows and derivation budget, and the mismatch accounting per stream.
// Times are milliseconds of a monotonic clock passed in (performance.now());
// epochs come from the wall clock (Date.now(), replaceable for tests).

import { SFrameKey, SFrameError, decodeHeader, suiteInfo, bytes } from './sframe.js';
import { deriveBaseKey, drawKid, kidEpoch, epochAt } from './keys.js';
import * as env from './envelope.js';

export const SOFT_LIMIT_FRAMES = 1n << 31n;
export const SOFT_LIMIT_BLOCKS = 1n << 35n;
export const GRACE_MS = 10000;
export const SWITCH_DELAY_MS = 2000;
export const MAX_KIDS = 32;
export const KID_BURST = 16;
export const KID_PER_S = 4;
export const MISMATCH_RUN = 10;
const HELD_MAX = 4;
const REPLAY_WINDOW = 128n;
const U64_MAX = (1n << 64n) - 1n;

let wallclock = () => Date.now() / 1000;
// Tests move the wall clock (epochs); nothing else should.
export function setWallclockForTest(fn) {
  wallclock = fn || (() => Date.now() / 1000);
}
const currentEpoch = () => epochAt(wallclock());

export class Sender {
  constructor(suite) {
    suiteInfo(suite);
    this.suite = suite;
    this.key = null; // shared key bytes frames are sealed under
    this.pending = null;
    this.pendingAt = 0;
    this.skey = null;
    this.kid = 0n;
    this.kidEpoch = 0;
    this.nextCtr = 0n;
    this.blocks = 0n;
    this.rotate = true;
    this.stats = { framesProtected: 0, keySwitches: 0, kidRotations: 0, previousKid: 0n, previousNextCtr: 0n };
  }

  // The first key applies at once; a later one (a rekey) from activateAt on.
  setKey(shared, activateAt) {
    if (!this.key) {
      this.key = shared;
      this.rotate = true;
    } else {
      this.pending = shared;
      this.pendingAt = activateAt;
    }
  }

  hasKey() {
    return this.key !== null;
  }

  async #rotateKid(epoch) {
    let kid;
    do kid = drawKid(epoch);
    while (this.skey && kid === this.kid);
    const base = await deriveBaseKey(this.key, kid, epoch);
    const skey = await SFrameKey.create(this.suite, kid, base);
    base.fill(0);
    if (this.skey) {
      this.stats.previousKid = this.kid;
      this.stats.previousNextCtr = this.nextCtr;
    }
    this.skey = skey;
    this.kid = kid;
    this.kidEpoch = epoch;
    this.nextCtr = 0n;
    this.blocks = 0n;
    this.rotate = false;
  }

  // header || ct || tag with AAD = header || metadata, and what changed:
  // { sframe, switched, newKid, rotated }. null when no key is held.
  // Calls must not overlap (the transform awaits each frame).
  async seal(now, metadata, pt) {
    let switched = false;
    if (this.pending && now >= this.pendingAt) {
      this.key = this.pending;
      this.pending = null;
      this.rotate = true;
      switched = true;
      this.stats.keySwitches++;
    }
    if (!this.key) return null;
    const epoch = currentEpoch();
    const blocks = BigInt(Math.ceil(pt.length / 16));
    const fresh = this.rotate || !this.skey;
    const limit = this.nextCtr >= SOFT_LIMIT_FRAMES || this.blocks + blocks > SOFT_LIMIT_BLOCKS;
    let newKid = false, rotated = false;
    if (fresh || limit || epoch !== this.kidEpoch) {
      await this.#rotateKid(epoch);
      newKid = true;
      rotated = !fresh;
      if (rotated) this.stats.kidRotations++;
    }
    const ctr = this.nextCtr++; // consumed before sealing: never used twice
    const sframe = await this.skey.seal(ctr, metadata, pt);
    this.blocks += blocks;
    this.stats.framesProtected++;
    return { sframe, switched, newKid, rotated };
  }
}

class ReplayWindow {
  constructor() {
    this.started = false;
    this.top = 0n;
    this.bits = 0n; // bit i: counter top - i seen
  }

  ok(ctr) {
    if (!this.started || ctr > this.top) return true;
    const d = this.top - ctr;
    return d < REPLAY_WINDOW && ((this.bits >> d) & 1n) === 0n;
  }

  update(ctr) {
    const mask = (1n << REPLAY_WINDOW) - 1n;
    if (!this.started) {
      this.started = true;
      this.top = ctr;
      this.bits = 1n;
    } else if (ctr > this.top) {
      const s = ctr - this.top;
      this.bits = s >= REPLAY_WINDOW ? 1n : ((this.bits << s) | 1n) & mask;
      this.top = ctr;
    } else if (this.top - ctr < REPLAY_WINDOW) {
      this.bits |= 1n << (this.top - ctr);
    }
  }
}

// Results of Receiver.open and openFrame: 'ok' or why a frame was dropped.
export const DROP = ['auth', 'unencrypted', 'stale', 'replayed', 'malformed', 'no-key', 'kid-limited'];

export class Receiver {
  constructor(suite, graceMs = GRACE_MS) {
    suiteInfo(suite);
    this.suite = suite;
    this.graceMs = graceMs;
    this.held = []; // { key, id, expiresAt }, newest first; expiresAt null: current
    this.nextKeyId = 1;
    this.kids = []; // { kid, epoch, authenticated, lastUsed, lastKeyId, replay, derived: Map(id -> SFrameKey) }
    this.useClock = 0;
    this.credit = KID_BURST; // derivations for KIDs that never authenticated
    this.creditAt = 0;
    this.derivations = 0;
  }

  #expire(now) {
    const before = this.held.length;
    this.held = this.held.filter((h) => h.expiresAt === null || now < h.expiresAt);
    if (this.held.length !== before) this.#forgetDropped();
  }

  #forgetDropped() {
    const ids = new Set(this.held.map((h) => h.id));
    for (const e of this.kids) for (const id of e.derived.keys()) if (!ids.has(id)) e.derived.delete(id);
  }

  // A new shared key opens frames at once; the one it replaces keeps opening them for the grace period.
  addKey(shared, now) {
    this.#expire(now);
    if (this.held.length === HELD_MAX) this.held.pop();
    if (this.held.length) this.held[0].expiresAt = now + this.graceMs;
    this.held.unshift({ key: shared, id: this.nextKeyId++, expiresAt: null });
    this.#forgetDropped();
  }

  keyCount(now) {
    this.#expire(now);
    return this.held.length;
  }

  #entry(kid, epoch) {
    let e = this.kids.find((x) => x.kid === kid && x.epoch === epoch);
    if (e) return e;
    if (this.kids.length >= MAX_KIDS) {
      // Evict the least recently used never-authenticated entry, else the least recently used.
      let victim = 0;
      this.kids.forEach((x, i) => {
        const v = this.kids[victim];
        if ((v.authenticated && !x.authenticated) || (v.authenticated === x.authenticated && x.lastUsed < v.lastUsed)) victim = i;
      });
      this.kids.splice(victim, 1);
    }
    e = { kid, epoch, authenticated: false, lastUsed: 0, lastKeyId: 0, replay: new ReplayWindow(), derived: new Map() };
    this.kids.push(e);
    return e;
  }

  #takeToken(now) {
    if (now > this.creditAt) {
      this.credit = Math.min(KID_BURST, this.credit + ((now - this.creditAt) * KID_PER_S) / 1000);
      this.creditAt = now;
    }
    if (this.credit < 1) return false;
    this.credit -= 1;
    return true;
  }

  async #key(e, h, now) {
    const have = e.derived.get(h.id);
    if (have) return have;
    if (!e.authenticated && !this.#takeToken(now)) return null;
    this.derivations++;
    const base = await deriveBaseKey(h.key, e.kid, e.epoch);
    const skey = await SFrameKey.create(this.suite, e.kid, base);
    base.fill(0);
    e.derived.set(h.id, skey);
    return skey;
  }

  // { status, data, kid, ctr }: status 'ok' with the plaintext, else one of DROP.
  async open(now, metadata, sframe) {
    // Format 2's header: config 0xF_ (an 8-byte KID) and KID bit 63.
    if (sframe.length < 9 || (sframe[0] & 0xf0) !== 0xf0 || !(sframe[1] & 0x80)) return { status: 'unencrypted' };
    let hdr;
    try {
      hdr = decodeHeader(sframe);
    } catch {
      return { status: 'malformed' };
    }
    const { kid, ctr } = hdr;
    const epoch = kidEpoch(kid, currentEpoch());
    if (epoch === null) return { status: 'stale', kid, ctr };
    this.#expire(now);
    if (this.held.length === 0) return { status: 'no-key', kid, ctr };
    const e = this.#entry(kid, epoch);
    e.lastUsed = ++this.useClock;
    if (!e.replay.ok(ctr)) return { status: 'replayed', kid, ctr };
    const order = [...this.held].sort((a, b) => (b.id === e.lastKeyId) - (a.id === e.lastKeyId));
    for (const h of order) {
      const skey = await this.#key(e, h, now);
      if (!skey) return { status: 'kid-limited', kid, ctr };
      try {
        const data = await skey.open(hdr, metadata, sframe);
        e.replay.update(ctr);
        e.authenticated = true;
        e.lastKeyId = h.id;
        return { status: 'ok', data, kid, ctr };
      } catch (err) {
        if (!(err instanceof SFrameError)) throw err;
        if (err.kind !== 'auth') return { status: 'malformed', kid, ctr };
      }
    }
    return { status: 'auth', kid, ctr };
  }
}

// ---- whole frames, per codec ----------------------------------------------

// The protected frame, or null when it must not be sent (no key yet, or not
// a valid frame of its codec). info gets { switched, newKid, rotated }.
export async function protectFrame(sender, codec, now, frame, info = {}) {
  if (codec === 'h264') return protectH264(sender, now, frame, info);
  const prefix = env.senderPrefixLen(codec, frame);
  if (prefix === null) return null;
  const sealed = await sender.seal(now, frame.subarray(0, prefix), frame.subarray(prefix));
  if (!sealed) return null;
  Object.assign(info, sealed);
  return bytes.concat(frame.subarray(0, prefix), sealed.sframe);
}

async function protectH264(sender, now, au, info) {
  if (!sender.hasKey()) return null;
  const { units, outlineLength } = env.h264Units(au);
  if (!units.some((u) => u.encrypted)) return null; // nothing would authenticate it
  const outline = env.h264Outline(au, units, outlineLength, 'plain');
  let anchor = new Uint8Array(0);
  const parts = [];
  let read = 0;
  for (const u of units) {
    if (!u.encrypted) continue;
    parts.push(au.subarray(read, u.nal.hdr + 1));
    outline[u.entry] = env.ENTRY.THIS;
    const sealed = await sender.seal(now, bytes.concat(outline, anchor), au.subarray(u.nal.hdr + 1, u.nal.end));
    outline[u.entry] = env.ENTRY.OTHER;
    if (!sealed) return null;
    if (sealed.switched) info.switched = true;
    if (sealed.newKid) info.newKid = true;
    if (sealed.rotated) info.rotated = true;
    if (anchor.length === 0) anchor = sealed.sframe.subarray(0, decodeHeader(sealed.sframe).length);
    const start = new Uint8Array([u.firstSlice ? env.H264_FIRST_SLICE : 0]);
    parts.push(env.escape(bytes.concat(start, sealed.sframe)), new Uint8Array([env.H264_TRAILER]));
    read = u.nal.end;
  }
  parts.push(au.subarray(read));
  return bytes.concat(...parts);
}

// { status, data, kid, ctr } for a whole frame; data only when status is 'ok'.
export async function openFrame(receiver, codec, now, frame) {
  if (frame.length === 0) return { status: 'unencrypted' };
  if (codec === 'h264') return openH264(receiver, now, frame);
  const prefix = env.clearPrefixLen(codec, frame);
  if (prefix === 0 || prefix >= frame.length) return { status: 'unencrypted' };
  const r = await receiver.open(now, frame.subarray(0, prefix), frame.subarray(prefix));
  if (r.status === 'ok') r.data = bytes.concat(frame.subarray(0, prefix), r.data);
  return r;
}

async function openH264(receiver, now, au) {
  const { units, outlineLength } = env.h264Units(au);
  const outline = env.h264Outline(au, units, outlineLength, 'protected');
  if (!outline || !units.some((u) => u.encrypted)) return { status: 'unencrypted' };
  let anchor = new Uint8Array(0);
  const parts = [];
  let first = null;
  for (const u of units) {
    parts.push(au.subarray(u.nal.start, u.encrypted ? u.nal.hdr + 1 : u.nal.end));
    if (!u.encrypted) continue;
    const body = env.unescape(au.subarray(u.nal.hdr + 1, u.nal.end - 1));
    if (!body || body.length < 2) return { status: 'malformed' };
    const sframe = body.subarray(1);
    outline[u.entry] = env.ENTRY.THIS;
    const r = await receiver.open(now, bytes.concat(outline, anchor), sframe);
    outline[u.entry] = env.ENTRY.OTHER;
    if (!first) first = r;
    if (r.status !== 'ok') return { ...r, kid: first.kid, ctr: first.ctr };
    parts.push(r.data);
    if (anchor.length === 0) anchor = sframe.subarray(0, decodeHeader(sframe).length);
  }
  return { status: 'ok', data: bytes.concat(...parts), kid: first.kid, ctr: first.ctr };
}

// ---- mismatch accounting (per stream) --------------------------------------

// Ten frames since the last good one failed the same way make a mismatch
// (each kind its own run); replayed, malformed, kid-limited frames and frames
// after loss count toward none and reset none; a good frame resets all.
export class Health {
  constructor() {
    this.state = 'waiting';
    this.cause = null;
    this.runs = { auth: 0, unencrypted: 0, stale: 0 };
  }

  // Returns the event the input causes: 'decrypting', 'mismatch', 'match',
  // 'secret-missing', 'secret-found', or null.
  feed(status, afterLoss = false) {
    if (status === 'ok') {
      const was = this.state;
      this.runs = { auth: 0, unencrypted: 0, stale: 0 };
      this.state = 'decrypting';
      return { waiting: 'decrypting', mismatch: 'match', 'secret-missing': 'secret-found' }[was] || null;
    }
    if (status === 'no-key') {
      this.runs.auth = 0;
      if (this.state === 'secret-missing') return null;
      this.state = 'secret-missing';
      return 'secret-missing';
    }
    if (afterLoss || !(status in this.runs)) return null;
    this.runs[status]++;
    if (this.runs[status] < MISMATCH_RUN || this.state === 'mismatch') return null;
    this.state = 'mismatch';
    this.cause = { auth: 'wrong-secret', unencrypted: 'unencrypted', stale: 'stale' }[status];
    return 'mismatch';
  }
}

export { U64_MAX };
