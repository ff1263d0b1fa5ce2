// Drives Cloudflare's official SDK for the C# tests: one JSON request per line on stdin,
//   {"id": 1, "call": "realtimeKit.meetings.create", "args": ["<app id>", {"account_id": "...", "title": "..."}]}
// one JSON answer per line on stdout,
//   {"id": 1, "ok": true, "result": <what the SDK returned>} or {"id": 1, "ok": false, "status": 404, "error": <body>}.
// STAGECAST_BASE_URL (e.g. http://127.0.0.1:8080/client/v4) and STAGECAST_API_TOKEN configure the client.
// The call "$methods" answers every method of client.realtimeKit (e.g. "realtimeKit.meetings.create"), read from the SDK.
import Cloudflare from 'cloudflare';
import readline from 'node:readline';

const client = new Cloudflare({
  apiToken: process.env.STAGECAST_API_TOKEN,
  baseURL: process.env.STAGECAST_BASE_URL,
  maxRetries: 0,
});

/** The methods of a resource and of its sub-resources (an SDK resource holds its client in `_client`). */
function methods(resource, path) {
  const found = [];
  for (const [name, value] of Object.entries(resource)) {
    if (!name.startsWith('_') && value && typeof value === 'object' && value._client) found.push(...methods(value, `${path}.${name}`));
  }
  for (let proto = Object.getPrototypeOf(resource); proto && proto.constructor.name !== 'APIResource' && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && typeof proto[name] === 'function') found.push(`${path}.${name}`);
    }
  }
  return found;
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const { id, call, args } = JSON.parse(line);
  const path = call.split('.');
  const method = path.pop();
  const target = path.reduce((object, name) => object[name], client);
  let answer;
  if (call === '$methods') {
    process.stdout.write(JSON.stringify({ id, ok: true, result: methods(client.realtimeKit, 'realtimeKit') }) + '\n');
    return;
  }
  try {
    if (typeof target?.[method] !== 'function') {
      throw new Error(`the SDK has no ${call}`);
    }
    answer = { id, ok: true, result: await target[method](...args) };
  } catch (error) {
    answer = { id, ok: false, status: error.status ?? null, error: error.error ?? String(error) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
});
