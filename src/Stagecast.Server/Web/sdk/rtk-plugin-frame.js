// Shows a plugin web app (such as Stagecast's /plugins/notes) in a meeting of RealtimeKit's SDK 2.0.x, whose plugins
// are elements the app supplies: pluginFrame(url) is such an element, an <iframe>, to pass as a plugin's `component`
// to RealtimeKitClient.init({ defaults: { plugins } }). connect(meeting) once the meeting exists. The frame speaks the
// SDK's (1.5.x) plugin frame protocol ({ type, uuid, payload }, types numbered as the socket's plugin events,
// (2 << 16) + n: 9 storeInsertKeys, 10 storeGetKeys, 11 storeDeleteKeys), which this carries to the meeting's synced
// stores (meeting.stores), so every peer's frame shares them.
const INSERT = (2 << 16) + 9, GET = (2 << 16) + 10, DELETE = (2 << 16) + 11;

export function pluginFrame(url) {
  const frame = document.createElement('iframe');
  const address = new URL(url, location.href);
  address.searchParams.set('parent', location.origin);
  frame.src = address.href;
  frame.title = 'plugin';
  frame.style.cssText = 'width: 100%; height: 100%; border: 0';
  const stores = new Map();
  const send = message => frame.contentWindow?.postMessage(message, address.origin);
  const items = values => Object.entries(values).map(([key, payload]) => ({ key, payload }));
  let meeting;
  let queued = [];

  const storeOf = name => {
    if (!stores.has(name)) {
      stores.set(name, meeting.stores.create(name).then(store => {
        store.subscribe('*', change => {
          const [[key, value]] = Object.entries(change);
          send({ type: value === undefined ? DELETE : INSERT, uuid: '', payload: { storeName: name, storeItems: [{ key, payload: value }] } });
        });
        return store;
      }));
    }
    return stores.get(name);
  };

  const handle = async ({ type, uuid, payload }) => {
    if (typeof payload?.store !== 'string') return;
    const store = await storeOf(payload.store);
    if (type === INSERT) {
      for (const { key, payload: value } of payload.insertKeys ?? []) await store.set(key, value);
    } else if (type === DELETE) {
      for (const { key } of payload.deleteKeys ?? []) await store.delete(key);
    } else if (type === GET) {
      send({ type: GET, uuid, payload: { storeName: payload.store, storeItems: items(store.getAll()) } });
    }
  };

  window.addEventListener('message', event => {
    if (event.source !== frame.contentWindow || event.origin !== address.origin) return;
    if (meeting) handle(event.data ?? {});
    else queued.push(event.data ?? {});
  });

  frame.connect = connected => {
    meeting = connected;
    queued.forEach(handle);
    queued = [];
  };
  return frame;
}
