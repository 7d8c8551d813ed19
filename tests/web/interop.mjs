// SPDX-License-Identifier: LGPL-2.1-or-later
// The browser module against e2call's GStreamer elements, on frames they
// made (run by tests/web/sframe-interop.sh, which produces them):
//   node interop.mjs DIR SECRET ROOM NAME:CODEC:SUITE...
// For each NAME: every DIR/NAME-enc-NNN.bin (e2csframeenc's output) must open
// to DIR/NAME-plain-NNN.bin (the encoder's frame); every plain frame is
// protected again here into DIR/NAME-js-NNN.bin, for e2csframedec to open.
// Exit status 0 when every frame matched, 1 otherwise.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { web, toHex } from './util.mjs';

const keys = await web('keys.js');
const stream = await web('stream.js');

const [dir, secret, room, ...specs] = process.argv.slice(2);
const shared = await keys.deriveSharedKey(secret, room);
let failures = 0;

function frames(name, kind) {
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${name}-${kind}-`))
    .sort()
    .map((f) => new Uint8Array(readFileSync(path.join(dir, f))));
}

for (const spec of specs) {
  const [name, codec, suiteText] = spec.split(':');
  const suite = Number(suiteText);
  const plain = frames(name, 'plain');
  const sealed = frames(name, 'enc');
  const rx = new stream.Receiver(suite);
  rx.addKey(shared, 0);
  let opened = 0;
  if (plain.length === 0 || plain.length !== sealed.length) {
    console.error(`${name}: ${plain.length} plain and ${sealed.length} encrypted frames`);
    failures++;
    continue;
  }
  for (let i = 0; i < sealed.length; i++) {
    const r = await stream.openFrame(rx, codec, 0, sealed[i]);
    if (r.status === 'ok' && toHex(r.data) === toHex(plain[i])) opened++;
    else console.error(`${name}: frame ${i} of e2csframeenc: ${r.status}${r.status === 'ok' ? ', other bytes' : ''}`);
  }
  const tx = new stream.Sender(suite);
  tx.setKey(shared, 0);
  let protectedCount = 0;
  for (let i = 0; i < plain.length; i++) {
    const out = await stream.protectFrame(tx, codec, 0, plain[i]);
    if (!out) {
      console.error(`${name}: frame ${i} not protected`);
      continue;
    }
    writeFileSync(path.join(dir, `${name}-js-${String(i).padStart(3, '0')}.bin`), out);
    protectedCount++;
  }
  console.log(`${name}: ${opened}/${sealed.length} of e2csframeenc's frames opened, ${protectedCount} protected`);
  if (opened !== sealed.length || protectedCount !== plain.length) failures++;
}
process.exit(failures ? 1 : 0);
