// The meeting page (/meet/{meeting_id}), built only on Stagecast's client module. The participant token comes in the
// URL fragment (#token=…, never sent to a server) or is pasted in the form.
import { StagecastClient } from '/sdk/stagecast.js';

/** @type {(id: string) => any} an element of the page (inputs, videos, lists: the page knows which) */
const $ = id => document.getElementById(id);
const state = { meeting: null, previewStream: null };
window.stagecastMeeting = state; // for tests and the curious

function showError(error) {
  const box = $('error');
  box.textContent = error ? (error.message || String(error)) : '';
  box.hidden = !error;
}

async function attempt(action) {
  try {
    showError(null);
    return await action();
  } catch (error) {
    showError(error);
    return undefined;
  }
}

function element(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

// Lobby: devices and a preview. A refused camera or microphone leaves the page usable to watch and chat.
async function preview() {
  state.previewStream?.getTracks().forEach(t => t.stop());
  state.previewStream = null;
  if (!$('join-camera').checked) { $('preview').srcObject = null; return; }
  try {
    const deviceId = $('camera').value;
    state.previewStream = await navigator.mediaDevices.getUserMedia({ video: deviceId ? { deviceId: { exact: deviceId } } : true });
    $('preview').srcObject = state.previewStream;
  } catch (error) {
    $('join-camera').checked = false;
    showError(new Error(`The camera is not available (${error.message}); you can still join to watch and chat.`));
  }
}

async function listDevices() {
  let devices = [];
  try { devices = await navigator.mediaDevices.enumerateDevices(); } catch { /* no media devices */ }
  for (const [select, kind] of [[$('camera'), 'videoinput'], [$('microphone'), 'audioinput']]) {
    for (const device of devices.filter(d => d.kind === kind && d.deviceId)) {
      select.append(element('option', { value: device.deviceId, textContent: device.label || `${kind === 'videoinput' ? 'Camera' : 'Microphone'} ${select.length}` }));
    }
  }
}

async function join(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  if (!token) { showError(new Error('Paste a participant token to join.')); return; }
  state.previewStream?.getTracks().forEach(t => t.stop());
  const meeting = await attempt(() => StagecastClient.init({ authToken: token }));
  if (!meeting) return;
  state.meeting = meeting;
  if ($('name').value.trim()) meeting.self.setName($('name').value.trim());
  wire(meeting);
  $('join').disabled = true;
  const joined = await attempt(() => meeting.join());
  $('join').disabled = false;
  if (joined === undefined && !meeting.self.roomJoined) return;
  history.replaceState(null, '', location.pathname); // the token leaves the address bar
  $('lobby').hidden = true;
  $('room').hidden = false;
  $('title').textContent = meeting.meta.meetingTitle || 'Meeting';
  document.title = `${meeting.meta.meetingTitle || 'Meeting'} · Stagecast`;
  $('live-panel').hidden = !meeting.self.permissions?.can_livestream;
  $('connection').textContent = '';
  renderWaitlist();
  $('poll-form').hidden = !meeting.self.permissions?.polls_can_create;
  $('chat-form').hidden = !meeting.self.permissions?.chat_can_send;
  addTile({ id: 'self', name: `${meeting.self.name} (you)` });
  for (const participant of meeting.participants.joined.toArray()) addTile(participant);
  renderLive();
  renderRecording();
  renderPolls();
  for (const device of await meeting.self.getAllDevices().catch(() => [])) {
    if (device.kind === 'videoinput' && device.deviceId === $('camera').value) await meeting.self.setDevice(device);
    if (device.kind === 'audioinput' && device.deviceId === $('microphone').value) await meeting.self.setDevice(device);
  }
  if ($('join-microphone').checked && meeting.self.permissions?.can_produce_audio) await attempt(() => meeting.self.enableAudio());
  if ($('join-camera').checked && meeting.self.permissions?.can_produce_video) await attempt(() => meeting.self.enableVideo());
  renderControls();
}

function wire(meeting) {
  const joined = meeting.participants.joined;
  joined.on('participantJoined', participant => addTile(participant));
  joined.on('participantLeft', participant => { $(`tile-${participant.id}`)?.remove(); $(`screen-${participant.id}`)?.remove(); });
  joined.on('videoUpdate', participant => updateTile(participant));
  joined.on('audioUpdate', participant => updateTile(participant));
  joined.on('screenShareUpdate', participant => updateScreen(participant));
  joined.on('activeSpeaker', speaker => {
    for (const tile of document.querySelectorAll('.tile')) tile.classList.toggle('speaking', /** @type {HTMLElement} */ (tile).dataset.id === speaker.id);
  });
  meeting.self.on('videoUpdate', () => { updateTile({ id: 'self', videoTrack: meeting.self.videoTrack, videoEnabled: meeting.self.videoEnabled, audioEnabled: meeting.self.audioEnabled }); renderControls(); });
  meeting.self.on('audioUpdate', () => { updateTile({ id: 'self', videoTrack: meeting.self.videoTrack, videoEnabled: meeting.self.videoEnabled, audioEnabled: meeting.self.audioEnabled }); renderControls(); });
  meeting.self.on('screenShareUpdate', () => renderControls());
  meeting.self.on('roomLeft', ({ state: how, reason }) => {
    $('connection').textContent = how === 'kicked' ? `You were removed from the meeting${reason ? `: ${reason}` : ''}.`
      : how === 'rejected' ? 'A host did not let you in.' : 'You left the meeting.';
    $('room').hidden = true;
  });
  meeting.self.on('waitlisted', () => { $('connection').textContent = 'Waiting for a host to let you in…'; });
  meeting.participants.waitlisted.on('participantJoined', () => renderWaitlist());
  meeting.participants.waitlisted.on('participantLeft', () => renderWaitlist());
  meeting.on('reconnecting', () => { $('connection').textContent = 'Reconnecting…'; });
  meeting.on('reconnected', () => { $('connection').textContent = ''; });
  meeting.on('error', error => showError(error));
  meeting.chat.on('chatUpdate', ({ message }) => {
    const time = message.time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    $('messages').append(element('li', {}, element('strong', { textContent: message.displayName }), ` ${message.message} `, element('span', { className: 'muted', textContent: time })));
    $('messages').lastElementChild.scrollIntoView({ block: 'nearest' });
  });
  meeting.polls.on('pollsUpdate', () => renderPolls());
  meeting.livestream.on('livestreamUpdate', () => renderLive());
  meeting.livestream.on('viewerCountUpdate', () => renderLive());
  meeting.recording.on('recordingUpdate', () => renderRecording());
}

/** Everyone in the meeting sees whether it is being recorded. */
function renderRecording() {
  const recording = state.meeting?.recording.recordingState ?? 'IDLE';
  $('recording-badge').hidden = recording === 'IDLE';
  $('recording-badge').textContent = recording === 'PAUSED' ? 'Recording paused' : 'Recording';
}

function addTile(participant) {
  if ($(`tile-${participant.id}`)) return;
  const video = element('video', { autoplay: true, playsInline: true, muted: participant.id === 'self' });
  video.setAttribute('aria-label', `${participant.name}'s camera`);
  const tile = element('li', { id: `tile-${participant.id}`, className: 'tile' },
    video, element('span', { className: 'name', textContent: participant.name }), element('span', { className: 'mute', textContent: '' }));
  tile.dataset.id = participant.id;
  $('grid').append(tile);
  updateTile(participant);
}

function updateTile(participant) {
  const tile = $(`tile-${participant.id}`);
  if (!tile) return;
  const video = tile.querySelector('video');
  const tracks = [participant.videoTrack, participant.id === 'self' ? null : participant.audioTrack].filter(Boolean);
  const current = video.srcObject?.getTracks() ?? [];
  if (tracks.length !== current.length || tracks.some(t => !current.includes(t))) video.srcObject = tracks.length ? new MediaStream(tracks) : null;
  tile.classList.toggle('no-video', !participant.videoEnabled);
  tile.querySelector('.mute').textContent = participant.audioEnabled ? '' : 'muted';
  tile.dataset.audio = participant.audioEnabled ? 'on' : 'off';
}

function updateScreen(participant) {
  let holder = $(`screen-${participant.id}`);
  const track = participant.screenShareTracks.find(t => t.kind === 'video');
  if (!participant.screenShareEnabled || !track) { holder?.remove(); return; }
  if (!holder) {
    const video = element('video', { autoplay: true, playsInline: true, muted: true });
    video.setAttribute('aria-label', `${participant.name}'s screen`);
    holder = element('figure', { id: `screen-${participant.id}`, className: 'screen' }, video, element('figcaption', { textContent: `${participant.name}'s screen` }));
    $('screens').append(holder);
  }
  holder.querySelector('video').srcObject = new MediaStream([track]);
}

function renderWaitlist() {
  const meeting = state.meeting;
  const waiting = meeting.participants.waitlisted.toArray();
  $('waitlist-panel').hidden = !meeting.self.permissions?.accept_waiting_requests || waiting.length === 0;
  $('waitlist').replaceChildren(...waiting.map(w => {
    const name = w.name || w.customParticipantId;
    const accept = element('button', { type: 'button', className: 'primary', textContent: 'Let in' });
    accept.setAttribute('aria-label', `Let ${name} in`);
    accept.addEventListener('click', () => attempt(() => meeting.participants.acceptWaitingRoomRequest(w.id)));
    const reject = element('button', { type: 'button', textContent: 'Turn away' });
    reject.setAttribute('aria-label', `Turn ${name} away`);
    reject.addEventListener('click', () => attempt(() => meeting.participants.rejectWaitingRoomRequest(w.id)));
    return element('li', { className: 'row' }, element('span', { className: 'grow', textContent: name }), accept, reject);
  }));
}

function renderControls() {
  const self = state.meeting.self;
  const set = (button, pressed, on, off, allowed) => {
    button.setAttribute('aria-pressed', String(pressed));
    button.textContent = pressed ? on : off;
    button.disabled = !allowed;
  };
  set($('toggle-mic'), !self.audioEnabled, 'Unmute', 'Mute', self.permissions?.can_produce_audio);
  set($('toggle-camera'), !self.videoEnabled, 'Start camera', 'Stop camera', self.permissions?.can_produce_video);
  set($('toggle-screen'), self.screenShareEnabled, 'Stop sharing', 'Share screen', self.permissions?.can_produce_screenshare && !!navigator.mediaDevices?.getDisplayMedia);
}

function renderPolls() {
  const polls = $('polls');
  polls.replaceChildren();
  if (state.meeting.polls.items.length === 0) polls.append(element('p', { className: 'muted', textContent: 'No polls yet.' }));
  for (const poll of state.meeting.polls.items) {
    const list = element('ul', { className: 'poll-options' });
    poll.options.forEach((option, index) => {
      const vote = element('button', { type: 'button', textContent: `${option.text} (${option.count})` });
      vote.setAttribute('aria-label', `Vote ${option.text} in "${poll.question}", ${option.count} votes`);
      vote.addEventListener('click', () => attempt(() => state.meeting.polls.vote(poll.id, index)));
      list.append(element('li', {}, vote));
    });
    polls.append(element('div', { className: 'poll' }, element('p', {}, element('strong', { textContent: poll.question })), list));
  }
}

function renderLive() {
  const live = state.meeting.livestream;
  $('live-state').textContent = live.state;
  $('live-state').dataset.state = live.state === 'LIVESTREAMING' ? 'live' : live.state;
  $('viewer-count').textContent = String(live.viewerCount);
  $('live-badge').hidden = live.state !== 'LIVESTREAMING';
  $('live-badge').dataset.state = 'live';
  const active = live.state !== 'IDLE';
  $('go-live').hidden = active;
  $('end-live').hidden = !active;
  $('playback').hidden = !live.playbackUrl || !active;
  if (live.playbackUrl && live.id) $('playback-link').href = `/watch/${live.id}`;
}

$('join-form').addEventListener('submit', join);
$('join-camera').addEventListener('change', preview);
$('camera').addEventListener('change', preview);
$('toggle-mic').addEventListener('click', () => attempt(() => state.meeting.self.audioEnabled ? state.meeting.self.disableAudio() : state.meeting.self.enableAudio()));
$('toggle-camera').addEventListener('click', () => attempt(() => state.meeting.self.videoEnabled ? state.meeting.self.disableVideo() : state.meeting.self.enableVideo()));
$('toggle-screen').addEventListener('click', () => attempt(() => state.meeting.self.screenShareEnabled ? state.meeting.self.disableScreenShare() : state.meeting.self.enableScreenShare()));
$('leave').addEventListener('click', () => attempt(() => state.meeting.leave()));
$('go-live').addEventListener('click', () => attempt(() => state.meeting.livestream.start()));
$('end-live').addEventListener('click', () => attempt(() => state.meeting.livestream.stop()));
$('chat-form').addEventListener('submit', event => {
  event.preventDefault();
  const text = $('chat-text').value.trim();
  if (!text) return;
  attempt(async () => { await state.meeting.chat.sendTextMessage(text); $('chat-text').value = ''; });
});
$('poll-form').addEventListener('submit', event => {
  event.preventDefault();
  const options = $('poll-options').value.split('\n').map(o => o.trim()).filter(Boolean);
  attempt(async () => { await state.meeting.polls.create($('poll-question').value.trim(), options); $('poll-question').value = ''; $('poll-options').value = ''; });
});

const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get('token')) $('token').value = fragment.get('token');
if (fragment.get('name')) $('name').value = fragment.get('name');
$('join').disabled = false; // the page is wired: until now a click on Join would have been lost
listDevices().then(preview);
if (fragment.get('token')) showMeeting(fragment.get('token'));

/** The lobby names the meeting (and the participant) as soon as the token is known. */
async function showMeeting(token) {
  const meeting = await StagecastClient.init({ authToken: token }).catch(() => null);
  if (!meeting?.meta.meetingTitle || state.meeting) return;
  $('title').textContent = meeting.meta.meetingTitle;
  $('lobby-heading').textContent = `Join ${meeting.meta.meetingTitle}`;
  document.title = `${meeting.meta.meetingTitle} · Stagecast`;
  if (!$('name').value && meeting.self.name) $('name').value = meeting.self.name;
}
