// SPDX-License-Identifier: LGPL-2.1-or-later
// Subscribed video that stays in mismatch (or without a secret) is paused at
// the router. The transform drops every frame that does not open, so
// Chromium's decoder gets nothing and asks the publisher for a keyframe about
// twice a second; every receiver of that publisher pays for each keyframe.
// Paused, the router relays nothing and nobody asks.
//
// A paused stream is resumed to look again: at once when the local key
// changes (a rekey) or when another stream of the same publisher opens (its
// tracks share one secret). A publisher without audio has nothing else that
// would show its secret changed: its video is looked at every PROBE_MS. A
// probe that has not opened within CHECK_MS pauses it again. Each look
// costs keyframes: Chromium asks until its stream has had no packet for 5 s
// (libwebrtc's inactivity limit), so it is seldom.
// Frames relayed during a look that still do not open are dropped as
// before: pausing never lets a frame through, it only stops the asking.

export const PROBE_MS = 30000;
export const CHECK_MS = 1500;

const CLOSED = new Set(['mismatch', 'secret-missing']);

export class VideoPauser {
  // setSend(stream, send): asks the router to relay the stream or not (a
  // promise). onPause(stream): told the first time a stream is paused.
  constructor(setSend, onPause = () => {}, timers = globalThis) {
    this.setSend = setSend;
    this.onPause = onPause;
    this.timers = timers;
    this.paused = new Map(); // stream -> { timer, probing }
  }

  // A stream's state changed (stream.state: 'decrypting', 'mismatch', ...).
  update(stream, others) {
    const p = this.paused.get(stream);
    if (CLOSED.has(stream.state)) {
      if (stream.track === 'video' && !p) this.#pause(stream, !others.some((o) => o.track === 'audio'));
      return;
    }
    if (p) this.#opened(stream);
    // One track of a publisher opens: its other tracks share the secret.
    if (stream.state === 'decrypting') for (const o of others) if (this.paused.has(o) && !this.paused.get(o).probing) this.#probe(o);
  }

  // The local secret changed: every paused stream may open now.
  keyChanged() {
    for (const [s, p] of this.paused) if (!p.probing) this.#probe(s);
  }

  isPaused(stream) {
    const p = this.paused.get(stream);
    return Boolean(p && !p.probing);
  }

  // The stream went away (its publisher left, the page ends).
  forget(stream) {
    const p = this.paused.get(stream);
    if (p) this.timers.clearTimeout(p.timer);
    this.paused.delete(stream);
  }

  #pause(stream, periodic) {
    const first = !stream.pauses;
    stream.pauses = (stream.pauses || 0) + 1;
    const p = { probing: false, periodic, timer: periodic ? this.timers.setTimeout(() => this.#probe(stream), PROBE_MS) : 0 };
    this.paused.set(stream, p);
    this.setSend(stream, false).catch(() => {});
    if (first) this.onPause(stream);
  }

  #probe(stream) {
    const p = this.paused.get(stream);
    if (!p) return;
    this.timers.clearTimeout(p.timer);
    p.probing = true;
    p.timer = this.timers.setTimeout(() => {
      if (this.paused.get(stream) !== p) return;
      this.paused.delete(stream);
      if (CLOSED.has(stream.state)) this.#pause(stream, p.periodic);
    }, CHECK_MS);
    this.setSend(stream, true).catch(() => {});
  }

  #opened(stream) {
    const p = this.paused.get(stream);
    this.timers.clearTimeout(p.timer);
    this.paused.delete(stream);
    if (!p.probing) this.setSend(stream, true).catch(() => {});
  }
}
