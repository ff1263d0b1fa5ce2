// Stagecast's shared notes pad, a meeting plugin: one text everyone in the meeting edits, kept in the plugin's shared
// store "notes" (key "text") on the server, so a late joiner finds it. It speaks RealtimeKit's plugin frame protocol
// with the page that frames it: { type, uuid, payload } messages whose types are the socket's plugin events
// ((2 << 16) + n: 9 storeInsertKeys, 10 storeGetKeys, 11 storeDeleteKeys), which SDK 1.5.x forwards to the socket
// itself (for 2.0.x, /sdk/rtk-plugin-frame.js does).
'use strict';
(() => {
  const INSERT = (2 << 16) + 9, GET = (2 << 16) + 10, DELETE = (2 << 16) + 11;
  const STORE = 'notes', KEY = 'text';
  const params = new URLSearchParams(location.search);
  const parentOrigin = params.get('parent') || '*';
  const notes = document.getElementById('notes');
  const status = document.getElementById('notes-status');
  let pending;

  const post = (type, payload) => window.parent.postMessage({ type, uuid: crypto.randomUUID(), payload }, parentOrigin);

  window.addEventListener('message', event => {
    if (event.source !== window.parent || (parentOrigin !== '*' && event.origin !== parentOrigin)) return;
    const { type, payload } = event.data ?? {};
    if (![INSERT, GET, DELETE].includes(type) || payload?.storeName !== STORE) return;
    for (const item of payload.storeItems ?? []) {
      if (item.key !== KEY) continue;
      const text = type === DELETE || typeof item.payload !== 'string' ? '' : item.payload;
      if (text !== notes.value) notes.value = text;
      status.textContent = 'Saved';
    }
  });

  // Typing is sent a moment after it pauses (the SDK allows a few store writes a second).
  notes.addEventListener('input', () => {
    status.textContent = 'Editing…';
    clearTimeout(pending);
    pending = setTimeout(() => {
      post(INSERT, { store: STORE, insertKeys: [{ key: KEY, payload: notes.value }] });
      status.textContent = 'Saved';
    }, 250);
  });

  // The pad is disabled until now: text typed before this script listened would never have been sent.
  notes.disabled = false;
  post(GET, { store: STORE, getKeys: [] });
})();
