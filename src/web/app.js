// SPDX-License-Identifier: LGPL-2.1-or-later
// The page: joins a Janus VideoRoom room, publishes e2call's test pattern
// and tone, subscribes to every publisher, and runs every frame through the
// crypto worker (worker.js). It fails closed: a sender's frame that could not
// be sealed is dropped, a received frame that does not open never reaches
// the decoder, and a stream waits for a keyframe after it (re)starts to open.
// Events are e2call's (e2call(1), EVENTS); a driver receives them through the
// binding window.e2callEvent (e2call web join), a person sees them on the page.
import { Janus } from './janus.js';
import { testMedia, verifyVideo, verifyAudio } from './media.js';
import { VideoPauser } from './pause.js';

const state = {
  cfg: null,
  janus: null,
  worker: null,
  joinedAt: 0,
  streams: new Map(), // "feed/mid" -> { remote, feed, track, codec, state, cause, verified, ... }
  feeds: new Map(), // feed -> { display, pc, handle }
  publication: null,
  events: [],
  ended: false,
  pauser: null,
};

// Relay a subscribed stream or not (Janus's subscriber configure, per mid).
function setSend(s, send) {
  const f = state.feeds.get(s.feed);
  if (!f?.handle || state.ended) return Promise.resolve();
  return f.handle.message({ request: 'configure', streams: [{ mid: s.mid, send }] });
}

state.pauser = new VideoPauser(setSend, (s) =>
  emit('notice', { remote: s.remote, feed: s.feed, track: s.track, message: `${s.remote}'s ${s.track} is paused at the router while it does not open (${s.state}): it is looked at again at a rekey, when another of its streams opens, and, without one, every 30 s` }));

// The page's streams of the publisher of s, but s.
function siblings(s) {
  return [...state.streams.values()].filter((o) => o !== s && o.feed === s.feed);
}

function now() {
  return new Date().toISOString();
}

export function emit(event, fields = {}) {
  const e = { ts: now(), event, participant: state.cfg?.display, ...fields };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  state.events.push(e);
  if (typeof window.e2callEvent === 'function') window.e2callEvent(JSON.stringify(e));
  const log = document.getElementById('log');
  if (log) {
    const line = document.createElement('div');
    const { ts, event: name, participant, ...rest } = e;
    line.textContent = `${ts.slice(11, 23)} ${name} ${Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ')}`;
    log.prepend(line);
  }
}

// Offer only what the transform handles: the chosen video codec (and its
// retransmissions) and Opus; never RED or FEC, whose payloads are not frames.
function preferCodecs(transceiver, kind, codec) {
  const caps = RTCRtpReceiver.getCapabilities(kind).codecs;
  const want = kind === 'audio' ? 'audio/opus' : `video/${codec}`.toLowerCase();
  let chosen = caps.filter((c) => c.mimeType.toLowerCase() === want);
  if (kind === 'video') {
    if (codec === 'h264') chosen = chosen.filter((c) => /packetization-mode=1/.test(c.sdpFmtpLine || ''));
    if (codec === 'vp9') chosen = chosen.filter((c) => !/profile-id=[1-3]/.test(c.sdpFmtpLine || ''));
    chosen = chosen.concat(caps.filter((c) => c.mimeType.toLowerCase() === 'video/rtx'));
  }
  transceiver.setCodecPreferences(chosen);
}

// The worker's transform for one sender or receiver; none in a plain call,
// whose frames go as they are (as e2call's plain participants send them).
function transform(side, id, kind, codec) {
  return state.cfg.e2ee ? new RTCRtpScriptTransform(state.worker, { side, id, kind, codec }) : null;
}

function trickle(pc, handle) {
  pc.onicecandidate = (e) => handle.trickle(e.candidate ? e.candidate.toJSON() : null);
}

async function publish(handle) {
  const cfg = state.cfg;
  const media = testMedia({ width: cfg.width, height: cfg.height, fps: cfg.fps, video: cfg.video !== 'none', audio: cfg.audio !== 'none' });
  const pc = new RTCPeerConnection();
  state.publication = { pc, media, handle };
  for (const track of media.stream.getTracks()) {
    const t = pc.addTransceiver(track, { direction: 'sendonly', streams: [media.stream] });
    const codec = track.kind === 'video' ? cfg.video : 'opus';
    preferCodecs(t, track.kind, codec);
    if (track.kind === 'video') t.sender.setParameters?.({ ...t.sender.getParameters(), encodings: [{ maxBitrate: cfg.videoKbps * 1000 }] }).catch(() => {});
    t.sender.transform = transform('send', `pub-${track.kind}`, track.kind, codec); // before any frame
  }
  trickle(pc, handle);
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const jsep = { type: offer.type, sdp: offer.sdp };
  if (cfg.e2ee) jsep.e2ee = true;
  const body = { request: 'configure', audio: cfg.audio !== 'none', video: cfg.video !== 'none' };
  const r = await handle.message(body, jsep);
  await pc.setRemoteDescription(r.jsep);
  emit('published', { e2ee: cfg.e2ee, video: cfg.video, audio: cfg.audio });
}

function tile(feed, display) {
  const el = document.createElement('div');
  el.className = 'tile';
  el.innerHTML = '<div class="name"></div><div class="media"></div><div class="status"></div>';
  el.querySelector('.name').textContent = `${display} (${feed})`;
  document.getElementById('remotes')?.append(el);
  return el;
}

function renderStatus(feed) {
  const f = state.feeds.get(feed);
  if (!f?.tile) return;
  const lines = [...state.streams.values()].filter((s) => s.feed === feed).map((s) => `${s.track}: ${s.state}${s.cause ? ` (${s.cause})` : ''}, ${s.decrypted ?? 0} decrypted, ${s.failed ?? 0} failed${s.verified ? ', verified' : ''}${state.pauser.isPaused(s) ? ', paused at the router' : ''}`);
  f.tile.querySelector('.status').textContent = lines.join(' | ');
}

async function subscribe(feed, display) {
  if (state.feeds.has(feed) || state.ended) return;
  const f = { display, pc: null, handle: null, tile: tile(feed, display) };
  state.feeds.set(feed, f);
  emit('remote-published', { remote: display, feed });
  f.handle = await state.janus.attach((m) => {
    if (m.janus === 'hangup') emit('notice', { message: `the router hung up the subscription to ${display}: ${m.reason}` });
  });
  const r = await f.handle.message({ request: 'join', ptype: 'subscriber', room: state.cfg.roomValue, streams: [{ feed }], private_id: state.privateId });
  const pc = new RTCPeerConnection();
  f.pc = pc;
  const codecs = new Map((r.data.streams || []).map((s) => [s.mid, s.codec]));
  pc.ontrack = (e) => onTrack(feed, display, e);
  await pc.setRemoteDescription(r.jsep);
  for (const t of pc.getTransceivers()) {
    const kind = t.receiver.track.kind, id = `${feed}/${t.mid}`;
    if (!state.streams.has(id)) state.streams.set(id, { remote: display, feed, track: kind, state: 'waiting', verified: false });
    state.streams.get(id).codec = codecs.get(t.mid);
    state.streams.get(id).mid = t.mid;
    t.receiver.transform = transform('receive', id, kind, codecs.get(t.mid)); // before the answer: before any frame
  }
  trickle(pc, f.handle);
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  await f.handle.message({ request: 'start', room: state.cfg.roomValue }, { type: answer.type, sdp: answer.sdp });
  emit('subscribed', { remote: display, feed });
}

function onTrack(feed, display, e) {
  const kind = e.track.kind, id = `${feed}/${e.transceiver.mid}`;
  // ontrack fires inside setRemoteDescription, before subscribe() lists the streams.
  if (!state.streams.has(id)) state.streams.set(id, { remote: display, feed, track: kind, state: 'waiting', verified: false });
  const s = state.streams.get(id);
  const stream = new MediaStream([e.track]);
  const el = document.createElement(kind);
  el.muted = true;
  el.autoplay = true;
  el.playsInline = true;
  el.srcObject = stream;
  state.feeds.get(feed)?.tile.querySelector('.media').append(el);
  const flowing = () => {
    if (s.flowing) return;
    s.flowing = true;
    emit('media-flowing', { remote: display, feed, track: kind, codec: s.codec, e2ee: state.cfg.e2ee, 'ms-since-join': Math.round(performance.now() - state.joinedAt) });
  };
  if (kind === 'video') {
    verifyVideo(el, (st) => {
      if (st.frames > 0) flowing();
      s.framesDecoded = st.frames;
      s.psnr = st.psnr;
      s.framesLost = st.lost;
      if (st.verified && !s.verified) {
        s.verified = true;
        emit('media-verified', { remote: display, feed, track: kind, frames: st.good, 'psnr-db': Math.round(st.psnr * 10) / 10 });
        renderStatus(feed);
      }
    });
  } else {
    s.audioCheck = verifyAudio(stream, (st) => {
      if (st.windows > 0) flowing();
      s.toneWindows = st.windows;
      if (st.verified && !s.verified) {
        s.verified = true;
        emit('media-verified', { remote: display, feed, track: kind, 'tone-windows': st.windows });
        renderStatus(feed);
      }
    });
  }
}

function unsubscribe(feed, reason) {
  const f = state.feeds.get(feed);
  if (!f) return;
  emit('remote-unpublished', { remote: f.display, feed, reason });
  for (const s of state.streams.values()) if (s.feed === feed) state.pauser.forget(s);
  f.pc?.close();
  f.tile?.remove();
  state.feeds.delete(feed);
}

function onPublisherEvent(m) {
  const d = m.plugindata?.data;
  if (!d) return;
  for (const p of d.publishers || []) if (state.cfg.subscribe) subscribe(p.id, p.display || String(p.id)).catch((e) => fail(9, 'UNABLE_TO_SUBSCRIBE', e.message));
  if (d.unpublished && d.unpublished !== 'ok') unsubscribe(d.unpublished, 'unpublished');
  if (d.leaving && d.leaving !== 'ok') unsubscribe(d.leaving, 'left');
  if (d.videoroom === 'destroyed') fail(8, 'CONNECT_FAILED', 'the room was destroyed');
}

// Chromium's sender transform cannot ask its encoder for a keyframe
// (no generateKeyFrame()); turning the encoding off and on again makes it
// start with one.
async function requestKeyframe() {
  const sender = state.publication?.pc.getSenders().find((x) => x.track?.kind === 'video');
  if (!sender || state.keyframePending) return;
  state.keyframePending = true;
  try {
    const p = sender.getParameters();
    p.encodings.forEach((x) => (x.active = false));
    await sender.setParameters(p);
    const q = sender.getParameters();
    q.encodings.forEach((x) => (x.active = true));
    await sender.setParameters(q);
  } catch { /* the next receiver's request will do */ }
  state.keyframePending = false;
}

function onWorkerMessage(e) {
  const m = e.data;
  if (m.type === 'event') {
    const { type, event, stream, ...rest } = m;
    const s = stream ? state.streams.get(stream) : null;
    if (s) {
      if (event === 'decrypting') {
        s.state = 'decrypting';
        state.pauser.update(s, siblings(s));
        return renderStatus(s.feed);
      }
      s.state = { 'encryption-secret-mismatch': 'mismatch', 'encryption-secret-missing': 'secret-missing' }[event] || 'decrypting';
      s.cause = event === 'encryption-secret-mismatch' ? rest.cause : undefined;
      emit(event, { remote: s.remote, feed: s.feed, ...rest });
      state.pauser.update(s, siblings(s));
      renderStatus(s.feed);
    } else if (event === 'secret-invalid') {
      fail(3, 'INVALID_ENCRYPTION_SECRET', rest.message);
    } else if (event === 'self-test') {
      if (rest.passed) emit('notice', { message: `the worker's self-test passed (${rest.vectors} SFrame vectors, every codec)`, 'self-test': 'passed' });
      else fail(6, 'ENCRYPTION_INTERNAL_ERROR', `the worker's self-test failed: ${rest.failures.join('; ')}`);
    } else if (event === 'rekeyed') {
      emit(event, rest);
      state.pauser.keyChanged();
    } else if (event === 'key-ready') {
      emit('notice', { message: `the room's key is derived (${rest['derive-ms']} ms)` });
    } else {
      emit(event, rest);
    }
  } else if (m.type === 'keyframe-needed') {
    requestKeyframe();
  } else if (m.type === 'stats') {
    state.lastStats = m;
    for (const r of m.receivers) {
      const s = state.streams.get(r.id);
      if (!s) continue;
      // To a driver only (e2call web join times them against the publishers' frame-time
      // table, which a page cannot read), before the stats event these times belong to.
      if (r.times.length && typeof window.e2callFrameTimes === 'function') window.e2callFrameTimes(JSON.stringify({ feed: s.feed, track: s.track, times: r.times }));
      Object.assign(s, { decrypted: r.decrypted, failed: r.failed, replayed: r.replayed, unencrypted: r.unencrypted, stale: r.stale, kidLimited: r.kidLimited, frames: r.frames, decryptUs: r.decryptUs, mismatchEvents: r.mismatchEvents, matchEvents: r.matchEvents });
      if (r.state !== 'plain' && r.state !== 'waiting' && r.state !== s.state) {
        s.state = r.state;
        state.pauser.update(s, siblings(s));
      }
      renderStatus(s.feed);
    }
    state.statsWaiter?.(m);
  }
}

function workerStats() {
  return new Promise((resolve) => {
    state.statsWaiter = (m) => {
      state.statsWaiter = null;
      resolve(m);
    };
    state.worker.postMessage({ type: 'stats' });
  });
}

function fail(status, name, message) {
  if (state.ended) return;
  state.exitStatus ??= status;
  emit('error', { error: name, 'exit-status': status, message });
  leave('error');
}

function streamSummary() {
  return [...state.streams.values()].map((s) => ({
    remote: s.remote, feed: s.feed, track: s.track, codec: s.codec, state: s.state, cause: s.cause, verified: s.verified,
    'frames-decrypted': s.decrypted ?? 0, 'frames-failed': s.failed ?? 0, 'frames-decoded': s.framesDecoded ?? 0,
    'frames-lost': s.framesLost ?? 0, 'mismatch-events': s.mismatchEvents ?? 0, 'match-events': s.matchEvents ?? 0,
    'router-pauses': s.pauses ?? 0,
    'decrypt-us-per-frame': usPerFrame(s.decryptUs, s.decrypted),
  }));
}

// Mean microseconds per frame to one decimal, null without a frame (as e2call's summary).
function usPerFrame(us, n) {
  return n ? Math.round(((us || 0) / n) * 10) / 10 : null;
}

// Per-frame costs in the worker, for the figures (microseconds).
function timing(stats) {
  const sum = (list, us, n) => list.reduce((a, x) => [a[0] + (x[us] || 0), a[1] + (x[n] || 0)], [0, 0]);
  const [eu, en] = sum(stats.senders, 'encryptUs', 'protected');
  const [du, dn] = sum(stats.receivers, 'decryptUs', 'decrypted');
  const sent = Object.fromEntries(stats.senders.map((x) => [x.id, { frames: x.frames, sealed: x.protected, dropped: x.dropped, keyframes: x.keyframes, 'encrypt-us-per-frame': usPerFrame(x.encryptUs, x.protected) }]));
  return { sent, 'encrypt-us-per-frame': usPerFrame(eu, en), 'decrypt-us-per-frame': usPerFrame(du, dn), 'frames-encrypted': en, 'frames-decrypted': dn };
}

export async function leave(reason = 'duration') {
  if (state.ended) return;
  state.ended = true;
  clearInterval(state.statsTimer);
  clearInterval(state.tileTimer);
  if (state.worker) {
    const st = await Promise.race([workerStats(), new Promise((r) => setTimeout(() => r(null), 1000))]);
    if (st) emit('summary', { streams: streamSummary(), timing: timing(st) });
  }
  state.publication?.media.stop();
  state.publication?.pc.close();
  for (const f of state.feeds.values()) f.pc?.close();
  state.janus?.close();
  emit('left', { reason });
  state.done?.();
}

// cfg: server, room, display, e2ee (a secret will be given), video, audio,
// width, height, fps, videoKbps, suite, publish, subscribe, statsInterval.
export async function start(cfg, secret) {
  state.cfg = {
    video: 'vp8', audio: 'opus', width: 320, height: 240, fps: 15, videoKbps: 500, suite: 6,
    publish: true, subscribe: true, statsInterval: 5, display: `browser-${Math.floor(Math.random() * 1e6)}`, ...cfg,
  };
  cfg = state.cfg;
  cfg.roomValue = /^[0-9]+$/.test(String(cfg.room)) ? Number(cfg.room) : cfg.room;
  state.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  state.worker.onmessage = onWorkerMessage;
  state.worker.postMessage({ type: 'config', room: String(cfg.room), suite: cfg.suite, switchDelayMs: cfg.switchDelayMs });
  if (secret) state.worker.postMessage({ type: 'secret', secret });
  secret = null;
  const finished = new Promise((resolve) => (state.done = resolve));
  if (!cfg.e2ee) emit('notice', { message: 'no secret: this call is not end-to-end encrypted' });
  // The tiles' counters come from the worker's stats: asked for every second
  // whatever statsInterval is (the form's call has no stats events at all).
  state.tileTimer = setInterval(() => state.worker.postMessage({ type: 'stats' }), 1000);
  try {
    state.janus = await Janus.connect(cfg.server, (why) => fail(8, 'CONNECT_FAILED', why));
    emit('connected', { server: cfg.server, session: state.janus.session });
    const handle = await state.janus.attach(onPublisherEvent);
    state.joinedAt = performance.now();
    const j = await handle.message({ request: 'join', ptype: 'publisher', room: cfg.roomValue, display: cfg.display });
    state.privateId = j.data.private_id;
    emit('joined', { room: cfg.room, id: j.data.id, e2ee: cfg.e2ee, publishers: (j.data.publishers || []).length });
    if (cfg.publish) {
      try {
        await publish(handle);
      } catch (e) {
        if (e.code === 433 && !cfg.e2ee) return fail(4, 'ENCRYPTION_SECRET_MISSING', `the room requires end-to-end encryption and no secret was given (${e.message})`);
        return fail(9, 'STREAM_CREATE_FAILED', e.message);
      }
    }
    onPublisherEvent({ plugindata: { data: j.data } });
    if (cfg.statsInterval > 0) state.statsTimer = setInterval(async () => {
      const st = await workerStats();
      emit('stats', { streams: streamSummary(), timing: timing(st) });
    }, cfg.statsInterval * 1000);
  } catch (e) {
    fail(e.code ? 8 : 8, 'CONNECT_FAILED', e.message);
  }
  return finished;
}

// A later secret (the rekey button, or the driver through the worker).
export function rekey(secret) {
  state.worker.postMessage({ type: 'secret', secret });
}

export function summary() {
  return { exitStatus: state.exitStatus ?? null, streams: streamSummary(), ended: state.ended };
}

Object.assign(window, { e2call: { start, leave, rekey, summary, emit } });
