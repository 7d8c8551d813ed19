// SPDX-License-Identifier: LGPL-2.1-or-later
// e2call's test media in a browser, and its checks (e2call(1), --expect-media):
// - video: SMPTE colour bars as GStreamer's videotestsrc draws them (100 %
//   bars over the top two thirds, the reversed blue band down to three
//   quarters), with e2call's frame marker in the top-left corner: 20 blocks,
//   black (luma 16) or white (235), carrying a 12-bit counter, the pattern
//   flag and a 4-bit check value;
// - audio: a 440 Hz sine.
// A receiver reads the marker from the decoded picture's luma, compares the
// pattern rows with the bars (PSNR >= 30 dB), and measures the share of the
// 440 Hz tone in 20 ms windows (Goertzel), as e2call does.

export const TONE_HZ = 440;
export const MIN_PSNR = 30;
export const MIN_TONE_SHARE = 0.5;
export const VIDEO_FRAMES_NEEDED = 10;
export const TONE_WINDOWS_NEEDED = 25;
const MARKER_BLOCKS = 20;

// The luma of videotestsrc's 100 % bars, which is all a receiver compares.
const TOP_Y = [235, 210, 170, 145, 106, 81, 41];
const BAND_Y = [41, 16, 106, 16, 170, 16, 235];
// Drawn as greys of that luma: a grey's luma is the same under every RGB to
// YUV matrix (BT.601, BT.709). Chromium converts a captured canvas to
// full-range YUV (grey v becomes luma v, measured on its encoded frames), so
// grey y is luma y; the marker's black and white are greys 16 and 235 too.
const grey = (y) => `rgb(${y}, ${y}, ${y})`;
const TOP = TOP_Y.map(grey);
const BAND = BAND_Y.map(grey);

export function markerBlock(width) {
  return Math.max(8, Math.floor(width / 32));
}

function checkOf(payload) {
  return ~(payload ^ (payload >> 4) ^ (payload >> 8) ^ (payload >> 12)) & 0xf;
}

function markerBits(counter, pattern) {
  const payload = (counter & 0xfff) | (pattern ? 1 << 12 : 0);
  return payload | (checkOf(payload) << 16);
}

// One frame of the pattern with the marker for counter.
export function drawPattern(ctx, width, height, counter) {
  const x = (i) => Math.floor((i * width) / 7);
  const top = Math.floor((height * 2) / 3), band = Math.floor((height * 3) / 4);
  for (let i = 0; i < 7; i++) {
    ctx.fillStyle = TOP[i];
    ctx.fillRect(x(i), 0, x(i + 1) - x(i), top);
    ctx.fillStyle = BAND[i];
    ctx.fillRect(x(i), top, x(i + 1) - x(i), band - top);
  }
  // The bottom quarter changes in videotestsrc (noise): nobody compares it.
  ctx.fillStyle = grey(16);
  ctx.fillRect(0, band, width, height - band);
  ctx.fillStyle = `rgb(${(counter * 37) & 255}, ${(counter * 91) & 255}, ${(counter * 13) & 255})`;
  ctx.fillRect(Math.floor(width / 2), band, Math.floor(width / 8), height - band);
  const b = markerBlock(width), bits = markerBits(counter, true);
  if (width < b * MARKER_BLOCKS || height < b) return;
  for (let i = 0; i < MARKER_BLOCKS; i++) {
    ctx.fillStyle = grey((bits >> i) & 1 ? 235 : 16);
    ctx.fillRect(i * b, 0, b, b);
  }
}

// BT.601 limited-range luma of RGBA pixels.
export function lumaOf(rgba, width, height) {
  const y = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < y.length; i++, p += 4) {
    y[i] = Math.round(16 + (65.481 * rgba[p] + 128.553 * rgba[p + 1] + 24.966 * rgba[p + 2]) / 255);
  }
  return y;
}

// { counter, pattern } of a valid marker, or null.
export function readMarker(y, width, height) {
  const b = markerBlock(width);
  if (width < b * MARKER_BLOCKS || height < b) return null;
  const lo = Math.floor(b / 4), hi = b - Math.floor(b / 4);
  let bits = 0;
  for (let i = 0; i < MARKER_BLOCKS; i++) {
    let sum = 0, n = 0;
    for (let row = lo; row < hi; row++) for (let col = lo; col < hi; col++, n++) sum += y[row * width + i * b + col];
    const mean = Math.floor(sum / n);
    if (mean < 16 + 60) continue;
    if (mean > 235 - 60) bits |= 1 << i;
    else return null;
  }
  const payload = bits & 0xffff;
  if (payload >> 13 !== 0 || bits >>> 16 !== checkOf(payload)) return null;
  return { counter: payload & 0xfff, pattern: (payload >> 12) & 1 };
}

// PSNR of the rows every frame of the pattern shares (below the marker, above the bottom quarter).
export function patternPsnr(y, width, height) {
  const first = markerBlock(width), end = Math.floor((height * 3) / 4), top = Math.floor((height * 2) / 3);
  let sse = 0, n = 0;
  for (let row = first; row < end; row++) {
    const ref = row < top ? TOP_Y : BAND_Y;
    let bar = 0;
    for (let col = 0; col < width; col++, n++) {
      while (bar < 6 && col >= Math.floor(((bar + 1) * width) / 7)) bar++;
      const d = y[row * width + col] - ref[bar];
      sse += d * d;
    }
  }
  if (n === 0 || sse === 0) return 99;
  return 10 * Math.log10((255 * 255) / (sse / n));
}

// Share (0..1) of the signal's power at freq (Goertzel), as e2call measures it.
export function toneShare(samples, rate, freq = TONE_HZ) {
  const w = (2 * Math.PI * freq) / rate, coeff = 2 * Math.cos(w);
  let s1 = 0, s2 = 0, energy = 0;
  for (const x of samples) {
    energy += x * x;
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  if (energy === 0) return 0;
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return Math.min(1, (2 * power) / (samples.length * energy));
}

// The page's publication: the pattern on a canvas and the tone, as a MediaStream.
export function testMedia({ width, height, fps, audio, video }) {
  const stream = new MediaStream();
  let timer = null, ctx = null, audioCtx = null;
  if (video) {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    ctx = canvas.getContext('2d', { alpha: false });
    let counter = 0;
    drawPattern(ctx, width, height, counter);
    const track = canvas.captureStream(fps).getVideoTracks()[0];
    timer = setInterval(() => drawPattern(ctx, width, height, ++counter), 1000 / fps);
    stream.addTrack(track);
  }
  if (audio) {
    audioCtx = new AudioContext({ sampleRate: 48000 });
    const osc = audioCtx.createOscillator();
    osc.frequency.value = TONE_HZ;
    const gain = audioCtx.createGain();
    gain.gain.value = 0.3;
    const dest = audioCtx.createMediaStreamDestination();
    osc.connect(gain).connect(dest);
    osc.start();
    stream.addTrack(dest.stream.getAudioTracks()[0]);
  }
  return {
    stream,
    stop() {
      clearInterval(timer);
      audioCtx?.close();
      stream.getTracks().forEach((t) => t.stop());
    },
  };
}

// Checks a remote video track: frames with a valid marker and, for the
// pattern, its PSNR. onUpdate({ frames, psnr, lost, verified }).
export function verifyVideo(videoEl, onUpdate) {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const st = { frames: 0, good: 0, psnr: 0, lost: 0, verified: false, last: null };
  const step = () => {
    const w = videoEl.videoWidth, h = videoEl.videoHeight;
    if (w && h) {
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      ctx.drawImage(videoEl, 0, 0);
      const y = lumaOf(ctx.getImageData(0, 0, w, h).data, w, h);
      st.frames++;
      const m = readMarker(y, w, h);
      if (m) {
        if (st.last !== null) {
          const gap = (m.counter - st.last - 1) & 0xfff;
          if (m.counter !== st.last && gap < 2048) st.lost += gap;
        }
        const fresh = m.counter !== st.last;
        st.last = m.counter;
        let good = true;
        if (m.pattern && !st.verified) {
          st.psnr = patternPsnr(y, w, h);
          good = st.psnr >= MIN_PSNR;
        }
        if (good && fresh) st.good++;
        if (!st.verified && st.good >= VIDEO_FRAMES_NEEDED) st.verified = true;
      }
      onUpdate(st);
    }
    videoEl.requestVideoFrameCallback(step);
  };
  videoEl.requestVideoFrameCallback(step);
  return st;
}

// Checks a remote audio track: 20 ms windows with the tone. onUpdate({ windows, verified }).
export function verifyAudio(stream, onUpdate) {
  const ctx = new AudioContext();
  const src = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  const n = Math.round(ctx.sampleRate * 0.02);
  analyser.fftSize = 2048;
  src.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  const st = { windows: 0, verified: false };
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(buf);
    if (toneShare(buf.subarray(buf.length - n), ctx.sampleRate) >= MIN_TONE_SHARE) st.windows++;
    if (!st.verified && st.windows >= TONE_WINDOWS_NEEDED) st.verified = true;
    onUpdate(st);
  }, 20);
  return { st, stop: () => { clearInterval(timer); ctx.close(); } };
}
