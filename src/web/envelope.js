// SPDX-License-Identifier: LGPL-2.1-or-later
// Codec envelopes (e2call-e2ee(7), FRAME LAYOUT): the clear prefix of VP8,
// VP9 and Opus frames, and for H.264 (format 2) the NAL units of an access
// unit, emulation prevention and the outline every tag authenticates.

export const CODECS = ['vp8', 'vp9', 'h264', 'opus'];

// 'video/VP8' and the like (RTCEncoded*Frame metadata) to e2call's codec names.
export function codecFromMimeType(mime) {
  const c = String(mime || '').toLowerCase().split('/').pop();
  return CODECS.includes(c) ? c : null;
}

// RFC 6386 section 9.1: bit 0 of the frame tag is 0 on keyframes.
function vp8IsKeyframe(f) {
  return f.length >= 1 && (f[0] & 1) === 0;
}

// VP9 uncompressed_header(): frame_marker(2) = 2, profile bits, a reserved
// bit for profile 3, show_existing_frame, frame_type (0 = key).
function vp9IsKeyframe(f) {
  if (f.length < 1) return false;
  const b = f[0];
  if (b >> 6 !== 2) return false;
  const profile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
  let bit = 3;
  if (profile === 3) {
    if ((b >> bit) & 1) return false;
    bit--;
  }
  if ((b >> bit) & 1) return false;
  bit--;
  return ((b >> bit) & 1) === 0;
}

// The clear prefix length as a receiver reads it (never more than the frame).
export function clearPrefixLen(codec, f) {
  if (f.length === 0) return 0;
  let n;
  if (codec === 'vp8') n = vp8IsKeyframe(f) ? 10 : 3;
  else if (codec === 'vp9') n = vp9IsKeyframe(f) ? 10 : 3;
  else if (codec === 'opus') n = 1;
  else return 0;
  return Math.min(n, f.length);
}

// A sender's prefix: null when the frame is shorter than its codec's prefix
// (not a valid frame, not sent).
export function senderPrefixLen(codec, f) {
  if (f.length === 0) return null;
  const probe = new Uint8Array(16);
  probe.set(f.subarray(0, 16));
  const full = clearPrefixLen(codec, probe);
  return full > 0 && f.length >= full ? full : null;
}

export function isKeyframe(codec, f) {
  if (f.length === 0) return false;
  if (codec === 'vp8') return vp8IsKeyframe(f);
  if (codec === 'vp9') return vp9IsKeyframe(f);
  if (codec === 'opus') return true;
  if (codec === 'h264') {
    for (const nal of nalUnits(f)) if (nal.end > nal.hdr && (f[nal.hdr] & 0x1f) === 5) return true;
  }
  return false;
}

// ---- H.264 Annex B ---------------------------------------------------------

export const H264_TRAILER = 0x80;
export const H264_FIRST_SLICE = 0x80;
const MAX_LEADING = 16;
export const ENTRY = { CLEAR: 0, OTHER: 1, THIS: 2 };

function findStartCode(au, from) {
  for (let i = from + 2; i < au.length; i++) {
    if (au[i] === 1 && au[i - 1] === 0 && au[i - 2] === 0) return i - 2;
  }
  return au.length;
}

// NAL units { start, hdr, end }: zero bytes before a start code or at the end
// are trailing_zero_8bits, not part of the unit; an empty unit has end == hdr.
export function* nalUnits(au) {
  let pos = 0;
  while (pos < au.length) {
    const sc = findStartCode(au, pos);
    if (sc === au.length) return;
    const start = sc > pos && au[sc - 1] === 0 ? sc - 1 : sc;
    const hdr = sc + 3;
    let end = findStartCode(au, hdr);
    while (end > hdr && au[end - 1] === 0) end--;
    yield { start, hdr, end };
    pos = end;
  }
}

// Parameter sets, delimiters, filler and the unspecified type 0 stay clear.
export function nalTypeProtected(type) {
  return ![0, 7, 8, 9, 10, 11, 12, 13, 15].includes(type) && type <= 31;
}

const isParameterSet = (t) => t === 7 || t === 8;
const isCodedSlice = (t) => t === 1 || t === 2 || t === 5;

function sameNal(au, a, b) {
  const n = a.end - a.hdr;
  if (n !== b.end - b.hdr) return false;
  for (let i = 0; i < n; i++) if (au[a.hdr + i] !== au[b.hdr + i]) return false;
  return true;
}

// The units of an access unit: non-empty NAL units, leading repeated
// parameter sets left out; each { nal, header, encrypted, firstSlice, entry }.
export function h264Units(au) {
  const nals = [...nalUnits(au)].filter((n) => n.end > n.hdr);
  const repeated = new Set();
  const cand = [];
  let leading = true;
  nals.forEach((nal, index) => {
    if (!isParameterSet(au[nal.hdr] & 0x1f)) {
      leading = false;
      return;
    }
    for (const c of cand) if (!repeated.has(c.index) && sameNal(au, c.nal, nal)) repeated.add(c.index);
    if (leading && cand.length < MAX_LEADING) cand.push({ nal, index });
  });
  const units = [];
  let entry = 0, sliceSeen = false;
  nals.forEach((nal, index) => {
    if (index < 32 && repeated.has(index)) return;
    const type = au[nal.hdr] & 0x1f;
    const encrypted = nalTypeProtected(type);
    const firstSlice = encrypted && isCodedSlice(type) && !sliceSeen;
    sliceSeen ||= isCodedSlice(type);
    units.push({ nal, header: au[nal.hdr], encrypted, firstSlice, entry });
    entry += encrypted ? 3 : 5 + (nal.end - nal.hdr);
  });
  return { units, outlineLength: entry };
}

// The outline of an access unit; form 'plain' (sender: start bytes from the
// slice order) or 'protected' (receiver: start bytes from the units). null
// for 'protected' when an encrypted unit lacks the trailer (no envelope).
export function h264Outline(au, units, length, form) {
  const out = new Uint8Array(length);
  for (const u of units) {
    const e = u.entry;
    if (u.encrypted) {
      if (form === 'protected' && (u.nal.end - u.nal.hdr < 3 || au[u.nal.end - 1] !== H264_TRAILER)) return null;
      out[e] = ENTRY.OTHER;
      out[e + 1] = u.header;
      out[e + 2] = form === 'plain' ? (u.firstSlice ? H264_FIRST_SLICE : 0) : au[u.nal.hdr + 1];
    } else {
      const n = u.nal.end - u.nal.hdr;
      out[e] = ENTRY.CLEAR;
      out[e + 1] = (n >>> 24) & 0xff;
      out[e + 2] = (n >>> 16) & 0xff;
      out[e + 3] = (n >>> 8) & 0xff;
      out[e + 4] = n & 0xff;
      out.set(au.subarray(u.nal.hdr, u.nal.end), e + 5);
    }
  }
  return out;
}

// H.264 section 7.4.1 emulation prevention: 0x03 after every 00 00 followed by a byte <= 3.
export function escape(input) {
  const out = new Uint8Array(input.length + (input.length >> 1) + 1);
  let o = 0, zeros = 0;
  for (const b of input) {
    if (zeros >= 2 && b <= 3) {
      out[o++] = 3;
      zeros = 0;
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, o);
}

// Inverse of escape(); null for input no escaping could have produced.
export function unescape(input) {
  const out = new Uint8Array(input.length);
  let o = 0, zeros = 0;
  for (let i = 0; i < input.length; i++) {
    const b = input[i];
    if (zeros >= 2) {
      if (b < 3) return null;
      if (b === 3) {
        if (i + 1 === input.length || input[i + 1] > 3) return null;
        zeros = 0;
        continue;
      }
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, o);
}
