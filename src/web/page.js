// SPDX-License-Identifier: LGPL-2.1-or-later
// The page's forms: join with a typed secret (handed to the worker at once
// and cleared from the form), rekey, leave. A driver (e2call web join) does
// not use them: it calls window.e2call.start() and gives the secret to the
// worker directly. The router URL may come from the address (?server=), the
// secret never does.
import './app.js';

const params = new URLSearchParams(location.search);
const join = document.getElementById('join');
const rekeyForm = document.getElementById('rekey');
for (const k of ['server', 'room', 'display']) if (params.get(k)) join.elements[k].value = params.get(k);

join.addEventListener('submit', (e) => {
  e.preventDefault();
  const f = join.elements;
  const secret = f.secret.value;
  f.secret.value = '';
  join.hidden = true;
  rekeyForm.hidden = false;
  window.e2call.start({ server: f.server.value, room: f.room.value, display: f.display.value || undefined, video: f.video.value, suite: Number(f.suite.value), e2ee: secret !== '', statsInterval: 0 }, secret || null);
});

rekeyForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const s = rekeyForm.elements.secret;
  if (s.value) window.e2call.rekey(s.value);
  s.value = '';
});

document.getElementById('leave').addEventListener('click', () => window.e2call.leave('interrupted'));
