// The Stagecast dashboard: a client of the REST API, signed in with an API token kept in this tab's
// sessionStorage only. Livestreams update every two seconds; the other sections when shown.
(() => {
  'use strict';
  /** @type {(id: string) => any} an element of the page (inputs, forms, lists: the page knows which) */
  const $ = (id) => document.getElementById(id);
  const authKey = 'stagecast.auth';
  const pollInterval = 2000;
  let auth = JSON.parse(sessionStorage.getItem(authKey) || 'null');
  let section = 'livestreams';
  let timer = null;
  const cards = new Map(); // livestream cards, by id
  const meetingCards = new Map();

  // ---- helpers -------------------------------------------------------------------------------------------------
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
      else if (name === 'dataset') Object.assign(element.dataset, value);
      else element.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) element.append(child instanceof Node ? child : String(child));
    }
    return element;
  }

  const apiBase = () => `/client/v4/accounts/${encodeURIComponent(auth.account)}/realtime/kit/${encodeURIComponent(auth.app)}`;

  async function api(path, options = {}, base = apiBase()) {
    const headers = { Authorization: `Bearer ${auth.token}` };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(base + path, { method: options.method || 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), cache: 'no-store' });
    } catch (error) {
      throw new Error('The server cannot be reached; is it running?');
    }
    let body = null;
    try { body = await response.json(); } catch (error) { /* not JSON */ }
    if (!response.ok || !body || body.success === false) {
      const message = (body && body.error && body.error.message) || `${response.status} ${response.statusText}`;
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function showError(error, doing) {
    const box = $('error');
    if (!error) { box.hidden = true; box.textContent = ''; return; }
    if (error.status === 401) { signOut(`Signed out: ${error.message}`); return; }
    box.textContent = doing ? `Could not ${doing}: ${error.message}` : error.message;
    box.hidden = false;
  }

  async function act(doing, action) {
    try { await action(); showError(null); await refresh(); } catch (error) { showError(error, doing); }
  }

  async function copy(button, text, label) {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch (error) {
      window.prompt(label, text); // clipboard refused (plain HTTP on another host): let the user copy it
    }
    setTimeout(() => { button.textContent = label; }, 1500);
  }

  const number = (value) => new Intl.NumberFormat().format(value);
  const time = (value) => (value ? new Date(value).toLocaleString() : '–');
  const bitrate = (bps) => (bps >= 1e6 ? `${(bps / 1e6).toFixed(2)} Mbit/s` : `${Math.round(bps / 1000)} kbit/s`);
  const badge = (state, cls) => h('span', { class: `badge ${cls || ''}`, dataset: { state } }, state);
  function table(caption, columns, rows) {
    return h('div', { class: 'table-wrap' }, h('table', {},
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, r.map((cell) => h('td', {}, cell))))
        : h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, 'None yet')))));
  }

  // ---- sign in ---------------------------------------------------------------------------------------------------
  function signOut(message) {
    sessionStorage.removeItem(authKey);
    auth = null;
    clearInterval(timer);
    cards.clear();
    meetingCards.clear();
    $('livestream-list').replaceChildren();
    endedList.replaceChildren();
    $('meeting-list').replaceChildren();
    $('app').hidden = true;
    $('signin').hidden = false;
    showError(message ? new Error(message) : null);
  }

  $('signin').addEventListener('submit', async (event) => {
    event.preventDefault();
    auth = { account: $('signin-account').value.trim(), app: $('signin-app').value.trim(), token: $('signin-token').value.trim() };
    try {
      await api('/livestreams?per_page=1');
      sessionStorage.setItem(authKey, JSON.stringify(auth));
      $('signin-token').value = '';
      showError(null);
      await enter();
    } catch (error) {
      auth = null;
      showError(error.status === 401 ? new Error('That token was not accepted for this account (check the account ID and the token).') : error, 'sign in');
    }
  });
  $('signout').addEventListener('click', () => signOut());

  async function enter() {
    $('signin').hidden = true;
    $('app').hidden = false;
    try {
      const apps = await api(`/accounts/${encodeURIComponent(auth.account)}/realtime/kit/apps`, {}, '');
      $('app-select').replaceChildren(...apps.data.map((a) => h('option', { value: a.id, selected: a.id === auth.app }, a.name || a.id)));
    } catch (error) {
      $('app-select').replaceChildren(h('option', { value: auth.app }, auth.app));
    }
    await refresh();
    clearInterval(timer);
    timer = setInterval(() => refresh(false), pollInterval);
  }

  $('app-select').addEventListener('change', async (event) => {
    auth.app = event.target.value;
    sessionStorage.setItem(authKey, JSON.stringify(auth));
    cards.clear();
    meetingCards.clear();
    $('livestream-list').replaceChildren();
    endedList.replaceChildren();
    $('meeting-list').replaceChildren();
    await refresh();
  });

  for (const tab of document.querySelectorAll('[role="tab"]')) {
    tab.addEventListener('click', () => {
      section = tab.getAttribute('aria-controls');
      for (const other of document.querySelectorAll('[role="tab"]')) {
        const selected = other === tab;
        other.setAttribute('aria-selected', String(selected));
        $(other.getAttribute('aria-controls')).hidden = !selected;
      }
      refresh();
    });
  }

  // One refresh at a time. The poll skips a beat while one runs; any other caller (an action, a tab, sign-in) has the
  // running one followed by another, as what it read may predate the change, and waits for that one.
  let refreshing = null;
  let again = false;
  function refresh(fresh = true) {
    if (!auth) return Promise.resolve();
    if (refreshing) {
      again ||= fresh;
      return refreshing;
    }
    refreshing = (async () => {
      try {
        do {
          again = false;
          await refreshSection();
        } while (again);
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  async function refreshSection() {
    try {
      if (section === 'livestreams') await refreshLivestreams();
      else if (section === 'webhooks') await refreshWebhooks();
      else if (section === 'meetings') await refreshMeetings();
      else await refreshAnalytics();
    } catch (error) {
      showError(error, `load the ${section}`);
    }
  }

  // ---- livestreams -----------------------------------------------------------------------------------------------
  $('create').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('create-name').value.trim();
    act('create the livestream', async () => {
      await api('/livestreams', { method: 'POST', body: name ? { name } : {} });
      $('create-name').value = '';
    });
  });

  // Puts the cards' roots in the container in this order, moving only what is out of place (a card's form keeps what
  // is typed in it and its focus across the polls), and drops the cards no longer listed.
  function place(container, cardsById, seen, roots, emptyText) {
    for (const [id, card] of cardsById) {
      if (!seen.has(id)) { card.root.remove(); cardsById.delete(id); }
    }
    order(container, roots);
    if (!roots.length) container.replaceChildren(h('p', { class: 'muted' }, emptyText));
    else container.querySelector(':scope > p')?.remove();
  }

  function order(container, roots) {
    roots.forEach((root, index) => {
      if (container.children[index] !== root) container.insertBefore(root, container.children[index] || null);
    });
  }

  // Every start of a meeting's livestream makes a new livestream, never used again once stopped: the ended ones are
  // kept under the list, collapsed, rather than piling up as IDLE cards.
  const endedMeetingLivestream = (livestream) => livestream.meeting_id && livestream.status === 'IDLE';
  const endedSummary = h('summary');
  const endedList = h('div');
  const endedBox = h('details', { class: 'ended-meeting-livestreams' }, endedSummary, endedList);

  // Titles of the meetings whose livestreams are listed, fetched once each.
  const meetingTitles = new Map();
  async function loadMeetingTitles(livestreams) {
    const missing = [...new Set(livestreams.map((l) => l.meeting_id).filter((id) => id && !meetingTitles.has(id)))];
    await Promise.all(missing.map(async (id) => {
      try { meetingTitles.set(id, (await api(`/meetings/${id}`)).data.title || id); } catch (error) { meetingTitles.set(id, id); }
    }));
  }

  async function refreshLivestreams() {
    const list = await api('/livestreams?per_page=100');
    await loadMeetingTitles(list.data);
    const seen = new Set();
    for (const livestream of list.data) {
      seen.add(livestream.id);
      let card = cards.get(livestream.id);
      if (!card) {
        card = createCard(livestream);
        cards.set(livestream.id, card);
      }
      updateCard(card, livestream);
    }
    const ended = list.data.filter(endedMeetingLivestream);
    endedSummary.textContent = `Ended meeting livestreams (${ended.length})`;
    order(endedList, ended.map((l) => cards.get(l.id).root));
    if (!ended.length) endedBox.remove();
    const current = list.data.filter((l) => !endedMeetingLivestream(l)).map((l) => cards.get(l.id).root);
    place($('livestream-list'), cards, seen, ended.length ? [...current, endedBox] : current,
      'No livestreams yet: create one above, then push to its ingest URL with OBS or ffmpeg.');
    await Promise.all([...cards.values()].filter((c) => c.details.open).map(loadDetails));
  }

  // A meeting's livestream is named by its meeting; its key matters only with manual ingest (otherwise the meeting's
  // program feeds it), and it is stopped through its meeting rather than disabled or given a new key.
  function createCard(livestream) {
    const card = { livestream };
    const meeting = livestream.meeting_id;
    const label = meeting ? `Meeting ${meetingTitles.get(meeting) || meeting}${livestream.name ? ` (${livestream.name})` : ''}` : livestream.name || livestream.id;
    const keyed = !meeting || livestream.manual_ingest;
    card.status = badge('IDLE', 'status');
    card.viewers = h('b', { class: 'viewers' }, '0');
    card.bitrate = h('b', { class: 'bitrate' }, '–');
    card.tracks = h('b', { class: 'tracks' }, '–');
    card.key = h('code', { class: 'secret key', hidden: true });
    card.showKey = h('button', { type: 'button', 'aria-expanded': 'false', onclick: () => {
      const shown = card.key.hidden;
      card.key.hidden = !shown;
      card.showKey.setAttribute('aria-expanded', String(shown));
      card.showKey.textContent = shown ? 'Hide stream key' : 'Show stream key';
    } }, 'Show stream key');
    const copyIngest = h('button', { type: 'button', onclick: () => copy(copyIngest, card.livestream.ingest_server, 'Copy ingest URL') }, 'Copy ingest URL');
    const copyKey = h('button', { type: 'button', onclick: () => copy(copyKey, card.livestream.stream_key, 'Copy stream key') }, 'Copy stream key');
    card.toggle = h('button', { type: 'button', onclick: () => {
      const verb = card.livestream.disabled ? 'enable' : 'disable';
      act(`${verb} the livestream`, () => api(`/livestreams/${card.livestream.id}/${verb}`, { method: 'PUT' }));
    } }, 'Disable');
    const reset = h('button', { type: 'button', onclick: () => {
      if (window.confirm(`Reset the stream key of ${label}? A publisher using the old key is disconnected.`)) {
        act('reset the stream key', () => api(`/livestreams/${card.livestream.id}/reset-stream-key`, { method: 'POST' }));
      }
    } }, 'Reset stream key');
    // A live stream's picture, asked for again at each poll (the query changes, or the browser keeps the first); the
    // server makes a new one every few seconds. Shown once loaded, hidden when there is none.
    card.thumbnail = h('img', { class: 'thumbnail', alt: `Latest picture of ${label}`, width: 320, height: 180, hidden: true,
      onload: () => { card.thumbnail.hidden = false; }, onerror: () => { card.thumbnail.hidden = true; } });
    card.ingest = h('code', {}, livestream.ingest_server);
    card.watch = h('a', { href: livestream.watch_url, target: '_blank', rel: 'noopener' }, 'Watch page');
    card.outputs = h('div');
    card.sessions = h('div');
    const url = h('input', { name: 'url', required: true, placeholder: 'rtmp://a.rtmp.youtube.com/live2', spellcheck: 'false' });
    const key = h('input', { name: 'stream_key', required: true, type: 'password', autocomplete: 'off', spellcheck: 'false' });
    const addOutput = h('form', { class: 'row add-output', onsubmit: (event) => {
      event.preventDefault();
      act('add the output', async () => {
        await api(`/livestreams/${card.livestream.id}/outputs`, { method: 'POST', body: { url: url.value.trim(), stream_key: key.value } });
        url.value = '';
        key.value = '';
      });
    } },
    h('label', {}, 'Destination URL', url), h('label', {}, 'Destination stream key', key), h('button', { type: 'submit' }, 'Add output'));
    card.details = h('details', { ontoggle: () => card.details.open && loadDetails(card).catch((e) => showError(e, 'load the details')) },
      h('summary', {}, 'Restream outputs and sessions'),
      h('h4', {}, 'Restream outputs'), card.outputs, addOutput,
      h('h4', {}, 'Sessions'), card.sessions);
    card.stop = h('button', { type: 'button', onclick: () => {
      if (window.confirm(`Stop the livestream of ${label}?`)) {
        act('stop the livestream', () => api(`/meetings/${meeting}/active-livestream/stop`, { method: 'POST' }));
      }
    } }, 'Stop livestream');
    card.root = h('article', { class: 'card', dataset: { livestreamId: livestream.id }, 'aria-label': `Livestream ${label}` },
      h('h3', {}, card.status, h('span', { class: 'name' }, label), card.watch),
      card.thumbnail,
      h('div', { class: 'stats' },
        h('span', {}, 'Watching ', card.viewers), h('span', {}, 'Incoming ', card.bitrate), h('span', {}, 'Tracks ', card.tracks)),
      keyed ? h('p', { class: 'muted' }, 'Ingest URL ', card.ingest, ' · stream key ', card.key)
        : h('p', { class: 'muted' }, "Fed by the meeting's composited program"),
      h('div', { class: 'row' }, keyed && [copyIngest, card.showKey, copyKey], meeting ? card.stop : [card.toggle, reset]),
      card.details);
    return card;
  }

  function updateCard(card, livestream) {
    card.livestream = livestream;
    const status = livestream.disabled ? 'DISABLED' : livestream.status;
    card.status.textContent = status;
    card.status.dataset.state = status;
    card.viewers.textContent = number(livestream.live_viewers);
    const ingest = livestream.ingest;
    card.bitrate.textContent = ingest ? bitrate(ingest.bits_per_second) : '–';
    card.tracks.textContent = ingest
      ? [ingest.video_codec && `${ingest.video_codec} ${ingest.width}x${ingest.height}`, ingest.audio_codec && `${ingest.audio_codec} ${ingest.audio_sample_rate / 1000} kHz`].filter(Boolean).join(', ') || '–'
      : '–';
    card.key.textContent = livestream.stream_key;
    card.ingest.textContent = livestream.ingest_server;
    card.toggle.textContent = livestream.disabled ? 'Enable' : 'Disable';
    card.stop.hidden = !['INVOKED', 'LIVE'].includes(livestream.status);
    if (livestream.status === 'LIVE') {
      // By path, on the host the dashboard was opened on (its CSP allows images from its own origin only).
      card.thumbnail.src = `/${encodeURIComponent(livestream.id)}/thumbnail.jpg?width=320&poll=${Date.now()}`;
    } else {
      card.thumbnail.hidden = true;
      card.thumbnail.removeAttribute('src');
    }
  }

  async function loadDetails(card) {
    const id = card.livestream.id;
    const [outputs, details] = await Promise.all([api(`/livestreams/${id}/outputs`), api(`/livestreams/${id}?per_page=10`)]);
    card.outputs.replaceChildren(table('Restream outputs', ['Destination', 'State', 'Last error', 'Sent', ''], outputs.data.map((o) => [
      o.url, badge(o.status), o.last_error || '–', `${number(Math.round(o.bytes_sent / 1024))} KiB`,
      h('button', { type: 'button', onclick: () => act(o.enabled ? 'disable the output' : 'enable the output',
        () => api(`/livestreams/${id}/outputs/${o.id}`, { method: 'PATCH', body: { enabled: !o.enabled } })) }, o.enabled ? 'Disable' : 'Enable'),
    ])));
    card.sessions.replaceChildren(table('Sessions', ['Started', 'Stopped', 'Ingest s', 'Viewer s', 'Watching', 'Error'], details.data.sessions.map((s) => [
      time(s.started_time), s.stopped_time ? time(s.stopped_time) : badge('LIVE'), number(s.ingest_seconds), number(s.viewer_seconds), number(s.live_viewers), s.err_message || '',
    ])));
  }

  // ---- webhooks, meetings, analytics ------------------------------------------------------------------------------
  async function refreshWebhooks() {
    const webhooks = await api('/webhooks');
    const blocks = await Promise.all(webhooks.data.map(async (w) => {
      const deliveries = await api(`/webhooks/${w.id}/deliveries?per_page=10`);
      return h('article', { class: 'card' },
        h('h3', {}, badge(w.enabled ? 'enabled' : 'disabled'), w.name, h('code', {}, w.url)),
        h('p', { class: 'muted' }, 'Events: ', w.events.join(', ')),
        table(`Recent deliveries of ${w.name}`, ['Event', 'Status', 'Attempts', 'Response', 'Error', 'Created'], deliveries.data.map((d) => [
          d.event, badge(d.status), d.attempts, d.last_response_code ?? '–', d.last_error || '', time(d.created_at),
        ])));
    }));
    $('webhook-list').replaceChildren(...(blocks.length ? blocks : [h('p', { class: 'muted' }, 'No webhooks: create one with POST /webhooks.')]));
  }

  const presets = ['group_call_host', 'group_call_participant', 'webinar_host', 'webinar_viewer', 'livestream_host', 'livestream_viewer', 'audio_room_host', 'audio_room_listener'];

  $('create-meeting').addEventListener('submit', (event) => {
    event.preventDefault();
    const title = $('meeting-title').value.trim();
    act('create the meeting', async () => {
      await api('/meetings', { method: 'POST', body: title ? { title } : {} });
      $('meeting-title').value = '';
    });
  });

  function addParticipantForm(m) {
    const name = h('input', { name: 'name', required: true, maxlength: '100', placeholder: 'Ada' });
    const preset = h('select', { name: 'preset_name' }, presets.map((p) => h('option', { value: p }, p)));
    return h('form', { class: 'row', onsubmit: (event) => {
      event.preventDefault();
      act('add the participant', async () => {
        await api(`/meetings/${m.id}/participants`, { method: 'POST', body: {
          name: name.value.trim(), preset_name: preset.value, custom_participant_id: `dashboard-${crypto.randomUUID()}`,
        } });
        name.value = '';
        meetingCard(m).join.open = true;
      });
    } }, h('label', {}, 'Participant name', name), h('label', {}, 'Preset', preset), h('button', { type: 'submit' }, 'Add participant'));
  }

  // Opens the meeting page as a participant, whoever added it (the dashboard or the app over the API): the token comes
  // from PATCH, which issues one without revoking the participant's others. The tab is opened at the click (so no
  // popup blocker takes it) and sent to the page once the token is there; the token is never stored.
  function joinAs(meetingId, participant) {
    const tab = window.open('about:blank', '_blank');
    act(`join as ${participant.name || participant.custom_participant_id}`, async () => {
      try {
        const { data } = await api(`/meetings/${meetingId}/participants/${participant.id}`, { method: 'PATCH', body: {} });
        tab.location = `/meet/${encodeURIComponent(meetingId)}#token=${encodeURIComponent(data.token)}`;
      } catch (error) {
        tab.close();
        throw error;
      }
    });
  }

  async function loadParticipants(m, card) {
    const list = await api(`/meetings/${m.id}/participants?per_page=100`);
    card.joinList.replaceChildren(list.data.length
      ? h('ul', { class: 'join-links' }, list.data.map((p) => h('li', {},
        h('button', { type: 'button', onclick: () => joinAs(m.id, p) }, `Join as ${p.name || p.custom_participant_id}`), ' ', h('span', { class: 'muted' }, p.preset_name || ''))))
      : h('p', { class: 'muted' }, 'No participants yet: add one above, or over the API.'));
  }

  // A meeting's card is made once and updated in place, so a poll never wipes a participant name being typed.
  function meetingCard(m) {
    let card = meetingCards.get(m.id);
    if (!card) {
      card = { heading: h('h3'), state: h('div'), participants: h('div'), joinList: h('div') };
      card.join = h('details', { ontoggle: () => card.join.open && loadParticipants(m, card).catch((e) => showError(e, 'load the participants')) },
        h('summary', {}, 'Join as a participant'), card.joinList);
      card.root = h('article', { class: 'card' }, card.heading, card.state, card.participants, addParticipantForm(m), card.join);
      meetingCards.set(m.id, card);
    }
    return card;
  }

  async function refreshMeetings() {
    const [meetings, live] = await Promise.all([api('/meetings?per_page=50'), api('/sessions?status=LIVE&per_page=50')]);
    const sessions = new Map(live.data.sessions.map((s) => [s.associated_id, s]));
    const participants = new Map(await Promise.all(meetings.data.filter((m) => sessions.has(m.id)).map(async (m) =>
      [m.id, await api(`/sessions/${sessions.get(m.id).id}/participants?view=consolidated`)])));
    for (const m of meetings.data) {
      const card = meetingCard(m);
      const session = sessions.get(m.id);
      const list = participants.get(m.id);
      card.heading.replaceChildren(badge(session ? 'LIVE' : m.status), m.title || m.id);
      card.state.replaceChildren(session
        ? h('p', { class: 'stats' }, h('span', {}, 'Session since ', h('b', {}, time(session.started_at))), h('span', {}, 'Participants now ', h('b', {}, session.live_participants)))
        : h('p', { class: 'muted' }, 'No session in progress'));
      card.participants.replaceChildren(...(list ? [table(`Participants of ${m.title || m.id}`, ['Name', 'Preset', 'Joined', 'Left'], list.data.participants.map((p) => [
        p.display_name || p.custom_participant_id, p.preset_name || '', time(p.joined_at), p.left_at ? time(p.left_at) : badge('LIVE'),
      ]))] : []));
      if (card.join.open) await loadParticipants(m, card);
    }
    place($('meeting-list'), meetingCards, new Set(meetings.data.map((m) => m.id)), meetings.data.map((m) => meetingCard(m).root), 'No meetings yet: create one above.');
  }

  async function refreshAnalytics() {
    const end = new Date();
    const start = new Date(end.getTime() - 30 * 86400 * 1000);
    const range = `start_time=${encodeURIComponent(start.toISOString())}&end_time=${encodeURIComponent(end.toISOString())}`;
    const [overall, days] = await Promise.all([api(`/analytics/livestreams/overall?${range}`), api(`/analytics/livestreams/daywise?${range}`)]);
    const o = overall.data;
    $('analytics-content').replaceChildren(
      h('h2', {}, 'Livestreams, last 30 days'),
      h('p', { class: 'stats' }, h('span', {}, 'Sessions ', h('b', {}, number(o.count))),
        h('span', {}, 'Ingest ', h('b', {}, `${number(Math.round(o.total_ingest_seconds / 60))} min`)),
        h('span', {}, 'Watched ', h('b', {}, `${number(Math.round(o.total_viewer_seconds / 60))} min`))),
      chart(days.data),
      table('Per day', ['Day', 'Sessions', 'Ingest min', 'Watched min'], days.data.map((d) => [d.date, d.count, (d.total_ingest_seconds / 60).toFixed(1), (d.total_viewer_seconds / 60).toFixed(1)])));
  }

  // Ingest and watched minutes per day as paired bars.
  function chart(days) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    const width = 600;
    const height = 160;
    svg.setAttribute('viewBox', `0 0 ${width} ${height + 20}`);
    svg.setAttribute('class', 'chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'Ingest (blue) and watched (green) minutes per day');
    const max = Math.max(1, ...days.map((d) => Math.max(d.total_ingest_seconds, d.total_viewer_seconds)));
    const slot = width / Math.max(1, days.length);
    days.forEach((d, i) => {
      [['ingest', d.total_ingest_seconds], ['viewer', d.total_viewer_seconds]].forEach(([cls, value], j) => {
        const bar = document.createElementNS(ns, 'rect');
        const barHeight = (value / max) * height;
        bar.setAttribute('class', cls);
        bar.setAttribute('x', String(i * slot + j * slot * 0.4 + slot * 0.1));
        bar.setAttribute('width', String(slot * 0.4));
        bar.setAttribute('y', String(height - barHeight));
        bar.setAttribute('height', String(barHeight));
        const title = document.createElementNS(ns, 'title');
        title.textContent = `${d.date}: ${(value / 60).toFixed(1)} ${cls === 'ingest' ? 'ingest' : 'watched'} minutes`;
        bar.append(title);
        svg.append(bar);
      });
      if (days.length <= 10 || i % Math.ceil(days.length / 10) === 0) {
        const label = document.createElementNS(ns, 'text');
        label.setAttribute('x', String(i * slot + 2));
        label.setAttribute('y', String(height + 14));
        label.textContent = d.date.slice(5);
        svg.append(label);
      }
    });
    return svg;
  }

  // ---- start -----------------------------------------------------------------------------------------------------
  const query = new URLSearchParams(location.search);
  $('signin-account').value = query.get('account') || '';
  $('signin-app').value = query.get('app') || '';
  if (auth) enter(); else $('signin').hidden = false;
})();
