// The meeting page (/meet/{meeting_id}), built only on Stagecast's client module. The participant token comes in the
// URL fragment (#token=…, never sent to a server) or is pasted in the form. In a meeting with a stage (a webinar, a
// livestream, an audio room) the grid shows who is on the stage and the audience is listed beside it; the audience of
// a livestream meeting watches the livestream instead, until it joins the stage.
import { StagecastClient } from '/sdk/stagecast.js';

/** @type {(id: string) => any} an element of the page (inputs, videos, lists: the page knows which) */
const $ = id => document.getElementById(id);
const ON_STAGE = 'ON_STAGE';
/** How long a speaker's last line stays on their tile (live transcripts). */
const CAPTION_MS = 8000;
/** The timer that clears each tile's caption, by the tile's participant id. */
const captionTimers = new Map();
/** What the weak-connection hint says when hovered, by the client module's reason. */
const WEAK_BECAUSE = { loss: 'packets are being lost', freezes: 'video you receive stalls', bandwidth: 'your uplink limits the video you send',
  downlink: 'your downlink cannot carry all the video you watch' };
/** wants: the camera and microphone the participant wants on while on the stage (the lobby's choice, then its toggles). */
const state = { meeting: null, previewStream: null, wants: { audio: false, video: false } };
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
  $('chat-file').closest('label').hidden = !meeting.self.permissions?.chat_can_send_files;
  for (const participant of meeting.participants.joined.toArray()) place(participant);
  if (meeting.self.permissions?.view_type === 'LIVESTREAM') meeting.livestream.attachPlayer($('livestream-video'));
  renderStage();
  renderLive();
  renderRecording();
  renderPolls();
  renderPlugins();
  await attempt(() => meeting.connectedMeetings.getConnectedMeetings());
  for (const device of await meeting.self.getAllDevices().catch(() => [])) {
    if (device.kind === 'videoinput' && device.deviceId === $('camera').value) await meeting.self.setDevice(device);
    if (device.kind === 'audioinput' && device.deviceId === $('microphone').value) await meeting.self.setDevice(device);
  }
  state.wants = { audio: $('join-microphone').checked, video: $('join-camera').checked };
  await turnOnWanted();
  renderControls();
}

/** On the stage, the camera and microphone the participant wants on are turned on (off it, the module turns them off). */
async function turnOnWanted() {
  const { self, stage } = state.meeting;
  if (stage.status !== ON_STAGE) return;
  if (state.wants.audio && self.permissions?.can_produce_audio && !self.audioEnabled) await attempt(() => self.enableAudio());
  if (state.wants.video && self.permissions?.can_produce_video && !self.videoEnabled) await attempt(() => self.enableVideo());
}

function wire(meeting) {
  const joined = meeting.participants.joined;
  joined.on('participantJoined', participant => place(participant));
  joined.on('stageStatusUpdate', participant => place(participant));
  joined.on('participantLeft', participant => { $(`tile-${participant.id}`)?.remove(); $(`screen-${participant.id}`)?.remove(); renderAudience(); });
  joined.on('videoUpdate', participant => updateTile(participant));
  joined.on('audioUpdate', participant => updateTile(participant));
  joined.on('screenShareUpdate', participant => updateScreen(participant));
  joined.on('activeSpeaker', speaker => {
    for (const tile of document.querySelectorAll('.tile')) tile.classList.toggle('speaking', /** @type {HTMLElement} */ (tile).dataset.id === speaker.id);
  });
  meeting.self.on('videoUpdate', () => { updateTile({ id: 'self', videoTrack: meeting.self.videoTrack, videoEnabled: meeting.self.videoEnabled, audioEnabled: meeting.self.audioEnabled }); renderControls(); });
  meeting.self.on('audioUpdate', () => { updateTile({ id: 'self', videoTrack: meeting.self.videoTrack, videoEnabled: meeting.self.videoEnabled, audioEnabled: meeting.self.audioEnabled }); renderControls(); });
  meeting.self.on('screenShareUpdate', () => renderControls());
  meeting.stage.on('stageStatusUpdate', () => {
    $('stage-note').textContent = ''; // an approval or a refusal says so right after
    renderStage();
    turnOnWanted();
  });
  meeting.stage.on('stageRequestApproved', () => { $('stage-note').textContent = 'A host invited you on the stage: join it when you are ready.'; });
  meeting.stage.on('stageRequestRejected', () => { $('stage-note').textContent = 'A host turned your request down.'; });
  meeting.stage.on('stageAccessRequestUpdate', () => { renderRequests(); renderAudience(); });
  meeting.livestream.on('watchingUpdate', () => renderStageView());
  meeting.self.on('roomLeft', ({ state: how, reason }) => {
    $('connection').textContent = how === 'kicked' ? `You were removed from the meeting${reason ? `: ${reason}` : ''}.`
      : how === 'rejected' ? 'A host did not let you in.' : 'You left the meeting.';
    $('room').hidden = true;
    $('weak-connection').hidden = true;
  });
  meeting.self.on('connectionUpdate', ({ connection, reasons }) => {
    const hint = $('weak-connection');
    hint.hidden = connection !== 'weak';
    hint.title = reasons.map(reason => WEAK_BECAUSE[reason]).join('; ');
  });
  meeting.self.on('waitlisted', () => { $('connection').textContent = 'Waiting for a host to let you in…'; });
  meeting.participants.waitlisted.on('participantJoined', () => renderWaitlist());
  meeting.participants.waitlisted.on('participantLeft', () => renderWaitlist());
  meeting.on('reconnecting', () => { $('connection').textContent = 'Reconnecting…'; });
  meeting.on('reconnected', () => { $('connection').textContent = ''; });
  meeting.on('error', error => showError(error));
  meeting.chat.on('chatUpdate', ({ message }) => {
    const time = message.time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    $('messages').append(element('li', {}, element('strong', { textContent: message.displayName }), ' ', chatContent(message), ' ',
      element('span', { className: 'muted', textContent: time })));
    $('messages').lastElementChild.scrollIntoView({ block: 'nearest' });
  });
  meeting.plugins.all.on('stateUpdate', () => renderPlugins());
  meeting.plugins.active.on('pluginAdded', plugin => openPlugin(plugin));
  meeting.plugins.active.on('pluginDeleted', plugin => closePlugin(plugin));
  meeting.polls.on('pollsUpdate', () => renderPolls());
  meeting.livestream.on('livestreamUpdate', () => renderLive());
  meeting.livestream.on('viewerCountUpdate', () => renderLive());
  meeting.recording.on('recordingUpdate', () => renderRecording());
  meeting.ai.on('transcript', line => showCaption(line));
  meeting.connectedMeetings.on('stateUpdate', () => renderBreakout());
  meeting.participants.on('broadcastedMessage', message => showBreakoutNotice(message));
  meeting.connectedMeetings.on('changingMeeting', () => $('messages').replaceChildren()); // the tiles go as their peers leave
  meeting.connectedMeetings.on('meetingChanged', () => {
    $('title').textContent = meeting.meta.meetingTitle || 'Meeting';
    renderPolls();
    meeting.connectedMeetings.getConnectedMeetings().catch(error => showError(error));
  });
}

/** The app message type of a host's word to every breakout room. */
const BREAKOUT_NOTICE = 'stagecast.breakout-notice';

/**
 * Breakout rooms: a host (connected_meetings_can_alter) splits everyone else evenly at random into rooms, moves anyone
 * to another meeting of the group by hand, sends a message to every room and closes them; whoever is in a room reads
 * which one, and a participant whose preset lets it switch (connected_meetings_can_switch, _can_switch_to_parent)
 * goes to another room or back by itself.
 */
function renderBreakout() {
  const meeting = state.meeting;
  const connected = meeting.connectedMeetings;
  const permissions = meeting.self.permissions ?? {};
  const host = !!permissions.connected_meetings_can_alter;
  const here = meeting.meta.meetingId;
  const room = connected.meetings.find(m => m.id === here);
  const group = connected.parentMeeting ? [{ ...connected.parentMeeting, title: 'Main meeting' }, ...connected.meetings] : connected.meetings;
  const switchTo = permissions.connected_meetings_can_switch ? connected.meetings.filter(m => m.id !== here) : [];
  if (room && connected.parentMeeting && permissions.connected_meetings_can_switch_to_parent) switchTo.push(group[0]);
  if (!connected.isActive) $('breakout-notice').hidden = true; // a word to the rooms lasts as long as they do
  $('breakout-panel').hidden = !host && !room && switchTo.length === 0 && $('breakout-notice').hidden;
  $('breakout-where').textContent = room ? `You are in ${room.title}.` : '';
  $('breakout-form').hidden = !host || connected.isActive;
  $('breakout-message-form').hidden = !host || !connected.isActive;
  $('breakout-close').hidden = !host || !connected.isActive;
  $('breakout-rooms').replaceChildren(...(host && connected.isActive ? group : []).map(m => {
    const others = m.participants.filter(p => p.id !== meeting.self.userId);
    return element('li', {}, element('strong', { textContent: m.title }), ' ', ...(others.length ? others.map(p => moveSelect(group, m, p)) : ['nobody yet']));
  }));
  $('breakout-switch').replaceChildren(...switchTo.map(m => {
    const button = element('button', { type: 'button', textContent: m === group[0] ? 'Back to the main meeting' : `Go to ${m.title}` });
    button.addEventListener('click', () => attempt(() => connected.moveParticipants(here, m.id, [meeting.self.userId])));
    return button;
  }));
}

/** A host's choice of where participant `person` of meeting `from` goes: moving it there when changed. */
function moveSelect(group, from, person) {
  const name = person.displayName || person.customParticipantId;
  const select = element('select', { ariaLabel: `Move ${name}` },
    ...group.map(m => element('option', { value: m.id, textContent: m.title, selected: m.id === from.id })));
  select.addEventListener('change', () => attempt(() => state.meeting.connectedMeetings.moveParticipants(from.id, select.value, [person.id])));
  return element('label', { className: 'mover' }, name, ' ', select);
}

/** A host's message to everyone in every meeting of the group (meetingIds: the main meeting and each room). */
async function messageEveryRoom(event) {
  event.preventDefault();
  const connected = state.meeting.connectedMeetings;
  const text = $('breakout-message').value.trim();
  const meetingIds = [connected.parentMeeting.id, ...connected.meetings.map(m => m.id)];
  await state.meeting.participants.broadcastMessage(BREAKOUT_NOTICE, { text, from: state.meeting.self.name }, { meetingIds });
  $('breakout-message').value = '';
}

/** A host's word to every room, shown in the panel until the next, or until the rooms close. */
function showBreakoutNotice({ type, payload }) {
  if (type !== BREAKOUT_NOTICE || typeof payload?.text !== 'string') return;
  $('breakout-notice').textContent = `${payload.from ?? 'The host'} to every room: ${payload.text}`;
  $('breakout-notice').hidden = false;
  renderBreakout();
}

/** Makes as many rooms as asked and moves everyone in the main meeting but this host into them, evenly at random. */
async function splitIntoRooms(event) {
  event.preventDefault();
  const connected = state.meeting.connectedMeetings;
  const count = Number($('breakout-count').value);
  const rooms = await connected.createMeetings(Array.from({ length: count }, (_, i) => ({ title: `Room ${i + 1}` })));
  const { parentMeeting } = await connected.getConnectedMeetings();
  const others = parentMeeting.participants.filter(p => p.id !== state.meeting.self.userId).map(p => p.id);
  for (let i = others.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [others[i], others[j]] = [others[j], others[i]];
  }

  for (const [index, room] of rooms.entries()) {
    const ids = others.filter((_, i) => i % rooms.length === index);
    if (ids.length) await connected.moveParticipants(parentMeeting.id, room.id, ids);
  }
}

/** A chat message's content: its text, a picture shown inline (a link to it full size), or a file's download link. */
function chatContent(message) {
  if (message.type === 'image') {
    const picture = element('img', { src: message.link, alt: message.name || 'a picture', className: 'chat-image', loading: 'lazy' });
    return element('a', { href: message.link, target: '_blank', rel: 'noopener' }, picture);
  }
  if (message.type === 'file') {
    return element('a', { href: message.link, download: message.name, className: 'chat-file' }, `${message.name} (${formatSize(message.size)})`);
  }
  return message.message;
}

function formatSize(bytes) {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The plugins panel: each plugin with Open (who may start it) or Close (its opener, or who may close others'). */
function renderPlugins() {
  const { plugins, self } = state.meeting;
  const list = $('plugin-list');
  list.replaceChildren();
  for (const plugin of plugins.all.toArray()) {
    const canClose = plugin.active && (self.permissions?.plugins_can_close || plugin.enabledBy === self.id);
    const item = element('li', {}, element('span', { className: 'grow', textContent: `${plugin.name}${plugin.active ? ' (open)' : ''}` }));
    if (!plugin.active && plugin.canStart) {
      item.append(element('button', { type: 'button', textContent: `Open ${plugin.name}`, onclick: () => attempt(() => plugin.activate()) }));
    }
    if (canClose) item.append(element('button', { type: 'button', textContent: `Close ${plugin.name}`, onclick: () => attempt(() => plugin.deactivate()) }));
    list.append(item);
  }
  $('plugins-panel').hidden = list.children.length === 0 || !plugins.all.toArray().some(p => p.canStart || p.active);
}

/** An open plugin shows in a frame above the chat, for everyone in the meeting; one the page may not frame is only listed as open. */
function openPlugin(plugin) {
  if (!$(`plugin-${plugin.id}`)) {
    const frame = element('iframe', { id: `plugin-${plugin.id}`, title: plugin.name, className: 'plugin-frame' });
    try {
      plugin.addPluginView(frame);
      $('plugin-area').append(frame);
    } catch (error) {
      showError(error);
    }
  }
  $('plugin-area').hidden = $('plugin-area').children.length === 0;
  renderPlugins();
}

function closePlugin(plugin) {
  plugin.removePluginView();
  $(`plugin-${plugin.id}`)?.remove();
  $('plugin-area').hidden = $('plugin-area').children.length === 0;
  renderPlugins();
}

/** A speaker's last line of the live transcript, with their name, under their video for a few seconds. */
function showCaption(line) {
  const id = line.peerId === state.meeting.self.id ? 'self' : line.peerId;
  const caption = $(`tile-${id}`)?.querySelector('.caption');
  if (!caption) return;
  caption.textContent = `${line.name}: ${line.transcript}`;
  clearTimeout(captionTimers.get(id));
  captionTimers.set(id, setTimeout(() => { caption.textContent = ''; captionTimers.delete(id); }, CAPTION_MS));
}

/** Everyone in the meeting sees whether it is being recorded. */
function renderRecording() {
  const recording = state.meeting?.recording.recordingState ?? 'IDLE';
  $('recording-badge').hidden = recording === 'IDLE';
  $('recording-badge').textContent = recording === 'PAUSED' ? 'Recording paused' : 'Recording';
}

/** A participant on the stage has a tile (and its screen); one off it is in the audience. */
function place(participant) {
  if (participant.stageStatus === ON_STAGE) {
    addTile(participant);
    updateScreen(participant);
  } else {
    $(`tile-${participant.id}`)?.remove();
    $(`screen-${participant.id}`)?.remove();
  }

  renderAudience();
}

function addTile(participant) {
  if ($(`tile-${participant.id}`)) return;
  const video = element('video', { autoplay: true, playsInline: true, muted: participant.id === 'self' });
  video.setAttribute('aria-label', `${participant.name}'s camera`);
  // Captions are read out as they change (an aria-live region of each tile's own).
  const caption = element('p', { className: 'caption' });
  caption.setAttribute('aria-live', 'polite');
  const tile = element('li', { id: `tile-${participant.id}`, className: 'tile' },
    video, caption, element('span', { className: 'name', textContent: participant.name }), element('span', { className: 'mute', textContent: '' }));
  tile.dataset.id = participant.id;
  const may = state.meeting.self.permissions;
  if (participant.id !== 'self' && may?.stage_enabled && (may.accept_stage_requests || may.kick_participant)) {
    const remove = element('button', { type: 'button', className: 'remove', textContent: 'Remove' });
    remove.setAttribute('aria-label', `Remove ${participant.name} from the stage`);
    remove.addEventListener('click', () => attempt(() => state.meeting.stage.kick([participant.id])));
    tile.append(remove);
  }

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
  const { self, stage } = state.meeting;
  // Off the stage nothing is published: the audience has no media buttons, only the stage's.
  const onStage = stage.status === ON_STAGE;
  const set = (button, pressed, on, off, allowed) => {
    button.setAttribute('aria-pressed', String(pressed));
    button.textContent = pressed ? on : off;
    button.disabled = !allowed;
    button.hidden = !onStage;
  };
  set($('toggle-mic'), !self.audioEnabled, 'Unmute', 'Mute', self.permissions?.can_produce_audio);
  set($('toggle-camera'), !self.videoEnabled, 'Start camera', 'Stop camera', self.permissions?.can_produce_video);
  set($('toggle-screen'), self.screenShareEnabled, 'Stop sharing', 'Share screen', self.permissions?.can_produce_screenshare && !!navigator.mediaDevices?.getDisplayMedia);
  const may = self.permissions;
  const status = stage.status;
  const staged = !!may?.stage_enabled;
  $('raise-hand').hidden = !staged || may.stage_access !== 'CAN_REQUEST' || !['OFF_STAGE', 'REQUESTED_TO_JOIN_STAGE'].includes(status);
  $('raise-hand').setAttribute('aria-pressed', String(status === 'REQUESTED_TO_JOIN_STAGE'));
  $('raise-hand').textContent = status === 'REQUESTED_TO_JOIN_STAGE' ? 'Lower hand' : 'Raise hand';
  $('join-stage').hidden = !staged || !(status === 'ACCEPTED_TO_JOIN_STAGE' || (status === 'OFF_STAGE' && may.stage_access === 'ALLOWED'));
  $('leave-stage').hidden = !staged || !(onStage || status === 'ACCEPTED_TO_JOIN_STAGE');
  $('leave-stage').textContent = onStage ? 'Leave the stage' : 'Decline';
}

/** Where this participant stands with the stage: its tile, its buttons, the lists and what it watches. */
function renderStage() {
  const { self, stage } = state.meeting;
  if (stage.status === ON_STAGE) {
    addTile({ id: 'self', name: `${self.name} (you)`, videoTrack: self.videoTrack, videoEnabled: self.videoEnabled, audioEnabled: self.audioEnabled });
  } else {
    $('tile-self')?.remove();
  }

  renderControls();
  renderAudience();
  renderRequests();
  renderStageView();
}

/** The audience of a livestream meeting watches the livestream; on the stage (or in any other meeting) the grid shows. */
function renderStageView() {
  const { self, stage, livestream } = state.meeting;
  const audience = self.permissions?.view_type === 'LIVESTREAM' && stage.status !== ON_STAGE;
  $('livestream-view').hidden = !audience;
  $('stage-area').hidden = audience;
  $('livestream-offline').hidden = livestream.watching;
}

/** Who is off the stage; a host invites them on. */
function renderAudience() {
  const { self, stage, participants } = state.meeting;
  const may = self.permissions;
  $('audience-panel').hidden = !may?.stage_enabled;
  const audience = participants.joined.toArray().filter(p => p.stageStatus !== ON_STAGE);
  const you = stage.status === ON_STAGE ? [] : [element('li', {}, element('span', { className: 'grow', textContent: `${self.name} (you)` }))];
  $('audience-heading').textContent = `Audience (${audience.length + you.length})`;
  $('audience').replaceChildren(...you, ...audience.map(p => {
    const note = p.stageStatus === 'REQUESTED_TO_JOIN_STAGE' ? 'raised a hand' : p.stageStatus === 'ACCEPTED_TO_JOIN_STAGE' ? 'invited' : '';
    const item = element('li', {}, element('span', { className: 'grow', textContent: p.name }), element('span', { className: 'muted', textContent: note }));
    if (may?.accept_stage_requests && p.stageStatus === 'OFF_STAGE') {
      const invite = element('button', { type: 'button', textContent: 'Invite' });
      invite.setAttribute('aria-label', `Invite ${p.name} on the stage`);
      invite.addEventListener('click', () => attempt(() => stage.grantAccess([p.userId])));
      item.append(invite);
    }

    return item;
  }));
}

/** A host's list of who asks for the stage, with accept and deny. */
function renderRequests() {
  const { self, stage } = state.meeting;
  const requests = stage.getAccessRequests().stageRequests;
  $('requests-panel').hidden = !self.permissions?.accept_stage_requests || requests.length === 0;
  $('stage-requests').replaceChildren(...requests.map(r => {
    const accept = element('button', { type: 'button', className: 'primary', textContent: 'Accept' });
    accept.setAttribute('aria-label', `Accept ${r.displayName} on the stage`);
    accept.addEventListener('click', () => attempt(() => stage.grantAccess([r.userId])));
    const deny = element('button', { type: 'button', textContent: 'Deny' });
    deny.setAttribute('aria-label', `Deny ${r.displayName} the stage`);
    deny.addEventListener('click', () => attempt(() => stage.denyAccess([r.userId])));
    return element('li', {}, element('span', { className: 'grow', textContent: r.displayName }), accept, deny);
  }));
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
$('toggle-mic').addEventListener('click', () => attempt(() => {
  state.wants.audio = !state.meeting.self.audioEnabled;
  return state.wants.audio ? state.meeting.self.enableAudio() : state.meeting.self.disableAudio();
}));
$('toggle-camera').addEventListener('click', () => attempt(() => {
  state.wants.video = !state.meeting.self.videoEnabled;
  return state.wants.video ? state.meeting.self.enableVideo() : state.meeting.self.disableVideo();
}));
$('raise-hand').addEventListener('click', () => attempt(() => state.meeting.stage.status === 'REQUESTED_TO_JOIN_STAGE'
  ? state.meeting.stage.cancelRequestAccess() : state.meeting.stage.requestAccess()));
$('join-stage').addEventListener('click', () => attempt(() => state.meeting.stage.join()));
$('leave-stage').addEventListener('click', () => attempt(() => state.meeting.stage.leave()));
$('toggle-screen').addEventListener('click', () => attempt(() => state.meeting.self.screenShareEnabled ? state.meeting.self.disableScreenShare() : state.meeting.self.enableScreenShare()));
$('leave').addEventListener('click', () => attempt(() => state.meeting.leave()));
$('go-live').addEventListener('click', () => attempt(() => state.meeting.livestream.start()));
$('end-live').addEventListener('click', () => attempt(() => state.meeting.livestream.stop()));
$('breakout-form').addEventListener('submit', event => attempt(() => splitIntoRooms(event)));
$('breakout-message-form').addEventListener('submit', event => attempt(() => messageEveryRoom(event)));
$('breakout-close').addEventListener('click', () => attempt(() => state.meeting.connectedMeetings.deleteMeetings(state.meeting.connectedMeetings.meetings.map(m => m.id))));
$('chat-form').addEventListener('submit', event => {
  event.preventDefault();
  const text = $('chat-text').value.trim();
  if (!text) return;
  attempt(async () => { await state.meeting.chat.sendTextMessage(text); $('chat-text').value = ''; });
});
$('chat-file').addEventListener('change', () => {
  const file = $('chat-file').files?.[0];
  if (!file) return;
  const chat = state.meeting.chat;
  attempt(async () => {
    try { await (/^image\/(png|jpeg|gif|webp)$/.test(file.type) ? chat.sendImageMessage(file) : chat.sendFileMessage(file)); } finally { $('chat-file').value = ''; }
  });
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
