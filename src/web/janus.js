// SPDX-License-Identifier: LGPL-2.1-or-later
// A minimal client of the Janus WebSocket API and its VideoRoom plugin: a
// session with keepalives, plugin handles, requests matched to their
// replies by transaction, and events per handle.
// Only what the page needs: join, publish (configure), subscribe, start,
// trickle, leave.

let nextTransaction = 1;

export class JanusError extends Error {
  constructor(code, reason) {
    super(`${reason} (${code})`);
    this.code = code;
  }
}

export class Janus {
  // Resolves once the WebSocket is open and a session exists.
  static connect(url, onLost) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, 'janus-protocol');
      const j = new Janus(ws, onLost);
      ws.onerror = () => reject(new Error(`cannot reach the router at ${url}`));
      ws.onopen = async () => {
        try {
          const r = await j.request({ janus: 'create' });
          j.session = r.data.id;
          j.keepalive = setInterval(() => j.send({ janus: 'keepalive', session_id: j.session }), 25000);
          resolve(j);
        } catch (e) {
          reject(e);
        }
      };
    });
  }

  constructor(ws, onLost) {
    this.ws = ws;
    this.pending = new Map(); // transaction -> { resolve, reject, async }
    this.handles = new Map(); // handle id -> event callback
    ws.onmessage = (e) => this.#receive(JSON.parse(e.data));
    ws.onclose = () => {
      clearInterval(this.keepalive);
      if (!this.closing && onLost) onLost('the connection to the router closed');
    };
  }

  send(msg) {
    msg.transaction ??= `t${nextTransaction++}`;
    this.ws.send(JSON.stringify(msg));
    return msg.transaction;
  }

  // The reply: 'success' for synchronous requests, the plugin's event for
  // asynchronous plugin messages (after its 'ack').
  request(msg) {
    return new Promise((resolve, reject) => {
      const t = this.send(msg);
      this.pending.set(t, { resolve, reject });
    });
  }

  #receive(m) {
    const p = m.transaction && this.pending.get(m.transaction);
    if (m.janus === 'ack' && p) return;
    if (p && (m.janus === 'success' || m.janus === 'event' || m.janus === 'error')) {
      this.pending.delete(m.transaction);
      const err = m.janus === 'error' ? m.error : m.plugindata?.data?.error_code ? { code: m.plugindata.data.error_code, reason: m.plugindata.data.error } : null;
      if (err) p.reject(new JanusError(err.code, err.reason));
      else p.resolve(m);
      return;
    }
    if (m.janus === 'timeout' && this.onLost) this.onLost('the router timed the session out');
    const h = m.sender && this.handles.get(m.sender);
    if (h) h(m);
  }

  async attach(onEvent) {
    const r = await this.request({ janus: 'attach', session_id: this.session, plugin: 'janus.plugin.videoroom' });
    const id = r.data.id;
    this.handles.set(id, onEvent);
    return new Handle(this, id);
  }

  close() {
    this.closing = true;
    clearInterval(this.keepalive);
    try {
      this.send({ janus: 'destroy', session_id: this.session });
    } catch { /* already closed */ }
    this.ws.close();
  }
}

export class Handle {
  constructor(janus, id) {
    this.janus = janus;
    this.id = id;
  }

  // The plugin's reply (data) and its jsep, if any.
  async message(body, jsep) {
    const msg = { janus: 'message', session_id: this.janus.session, handle_id: this.id, body };
    if (jsep) msg.jsep = jsep;
    const r = await this.janus.request(msg);
    return { data: r.plugindata?.data ?? {}, jsep: r.jsep };
  }

  trickle(candidate) {
    this.janus.send({ janus: 'trickle', session_id: this.janus.session, handle_id: this.id, candidate: candidate ?? { completed: true } });
  }
}
