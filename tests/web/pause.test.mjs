// SPDX-License-Identifier: LGPL-2.1-or-later
// src/web/pause.js: video that stays in mismatch is paused at the router and
// looked at again (a rekey, another track of its publisher opening, every
// PROBE_MS), paused again when a probe does not open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VideoPauser, PROBE_MS, CHECK_MS } from '../../src/web/pause.js';

// Timers that run only when told to: now() and advance(ms).
function fakeTimers() {
  let now = 0, next = 1;
  const due = new Map();
  return {
    setTimeout(fn, ms) { due.set(next, { at: now + ms, fn }); return next++; },
    clearTimeout(id) { due.delete(id); },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const [id, t] = [...due].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0] || [];
        if (!t) break;
        due.delete(id);
        now = t.at;
        t.fn();
      }
      now = end;
    },
  };
}

function setup() {
  const calls = [], paused = [];
  const timers = fakeTimers();
  const p = new VideoPauser(async (s, send) => calls.push([s.track, send]), (s) => paused.push(s.track), timers);
  const video = { track: 'video', state: 'waiting' }, audio = { track: 'audio', state: 'waiting' };
  return { p, calls, paused, timers, video, audio };
}

test('video with audio beside it is looked at only when something changes', () => {
  const { p, calls, timers, video, audio } = setup();
  audio.state = video.state = 'mismatch';
  p.update(video, [audio]);
  timers.advance(100 * PROBE_MS);
  assert.deepEqual(calls, [['video', false]]);
  p.keyChanged();
  timers.advance(CHECK_MS);
  assert.deepEqual(calls, [['video', false], ['video', true], ['video', false]]);
  timers.advance(100 * PROBE_MS);
  assert.equal(calls.length, 3);
});

test('video in mismatch is paused once; audio never is', () => {
  const { p, calls, paused, video, audio } = setup();
  audio.state = 'mismatch';
  p.update(audio, [video]);
  video.state = 'mismatch';
  p.update(video, [audio]);
  p.update(video, [audio]);
  assert.deepEqual(calls, [['video', false]]);
  assert.deepEqual(paused, ['video']);
  assert.ok(p.isPaused(video));
  assert.ok(!p.isPaused(audio));
});

test('a stream that opens is never paused', () => {
  const { p, calls, video } = setup();
  video.state = 'decrypting';
  p.update(video, []);
  assert.deepEqual(calls, []);
});

test('a probe that does not open pauses again; one that opens resumes for good', () => {
  const { p, calls, timers, video } = setup();
  video.state = 'mismatch';
  p.update(video, []);
  timers.advance(PROBE_MS - 1);
  assert.equal(calls.length, 1);
  timers.advance(1);
  assert.deepEqual(calls.at(-1), ['video', true]);
  assert.ok(!p.isPaused(video));
  timers.advance(CHECK_MS);
  assert.deepEqual(calls.at(-1), ['video', false]);
  assert.ok(p.isPaused(video));
  assert.equal(video.pauses, 2);
  timers.advance(PROBE_MS);
  assert.deepEqual(calls.at(-1), ['video', true]);
  video.state = 'decrypting';
  p.update(video, []);
  timers.advance(10 * PROBE_MS);
  assert.deepEqual(calls.at(-1), ['video', true]);
  assert.equal(calls.length, 4);
});

test('a rekey and a sibling opening resume at once', () => {
  const { p, calls, timers, video, audio } = setup();
  video.state = 'secret-missing';
  p.update(video, [audio]);
  p.keyChanged();
  assert.deepEqual(calls, [['video', false], ['video', true]]);
  timers.advance(CHECK_MS);
  assert.deepEqual(calls.at(-1), ['video', false]);
  audio.state = 'decrypting';
  p.update(audio, [video]);
  assert.deepEqual(calls.at(-1), ['video', true]);
  video.state = 'decrypting';
  p.update(video, [audio]);
  timers.advance(10 * PROBE_MS);
  assert.equal(calls.length, 4);
  assert.ok(!p.isPaused(video));
});

test('a forgotten stream is left alone', () => {
  const { p, calls, timers, video } = setup();
  video.state = 'mismatch';
  p.update(video, []);
  p.forget(video);
  timers.advance(10 * PROBE_MS);
  p.keyChanged();
  assert.equal(calls.length, 1);
});
