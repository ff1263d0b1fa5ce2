// Stagecast's browser client module: join a meeting, publish and watch media, chat, polls, live transcripts and the
// meeting's livestream, shaped like Cloudflare RealtimeKit's web core. Plain modern JavaScript (an ES module) with JSDoc
// types; the declarations are in stagecast.d.ts beside it. No dependencies, no network but the Stagecast server.
//
//   import { StagecastClient } from '/sdk/stagecast.js';
//   const meeting = await StagecastClient.init({ authToken });
//   await meeting.join();
//   await meeting.self.enableVideo();
//
// In a meeting with a stage (a webinar, a livestream, an audio room) only a participant on the stage publishes:
// off it, the tracks it turns on stay in the browser until it joins the stage (meeting.stage), and leaving the stage
// turns them off. The audience of a LIVESTREAM meeting watches its livestream over HLS (meeting.livestream.attachPlayer).

/** An error from the server or the module: `code` is the API's or the channel's (1900-1902 for the livestream). */
export class StagecastError extends Error {
  /** @param {number} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'StagecastError';
    this.code = code;
  }
}

/** A tiny event emitter: `on`, `off`, `once`, as RealtimeKit's objects have. */
class Emitter {
  #handlers = new Map();

  /** @param {string} event @param {(...args: any[]) => void} handler */
  on(event, handler) {
    if (!this.#handlers.has(event)) this.#handlers.set(event, new Set());
    this.#handlers.get(event).add(handler);
    return this;
  }

  /** @param {string} event @param {(...args: any[]) => void} handler */
  off(event, handler) {
    this.#handlers.get(event)?.delete(handler);
    return this;
  }

  /** @param {string} event @param {(...args: any[]) => void} handler */
  once(event, handler) {
    const wrapper = (...args) => { this.off(event, wrapper); handler(...args); };
    return this.on(event, wrapper);
  }

  /** @param {string} event @param {...any} args */
  emit(event, ...args) {
    for (const handler of [...(this.#handlers.get(event) ?? [])]) {
      try { handler(...args); } catch (error) { console.error(`stagecast: a ${event} handler failed`, error); }
    }
  }
}

const GRACE_MS = 25000;
const RETRY_MS = 1000;

/** The server's stage statuses in RealtimeKit's words (`meeting.stage.status`, `participant.stageStatus`). */
const StageStatus = { ON_STAGE: 'ON_STAGE', REQUESTED: 'REQUESTED_TO_JOIN_STAGE', APPROVED: 'ACCEPTED_TO_JOIN_STAGE', OFF_STAGE: 'OFF_STAGE' };

/** What the livestream's player asks of hls.js: about a second behind live, as the watch page (watch.js says why). */
const HLS_CONFIG = { lowLatencyMode: true, liveSyncDuration: 0.5, liveMaxLatencyDuration: 3, maxLiveSyncPlaybackRate: 1.5, backBufferLength: 10, maxBufferLength: 4 };
let hlsLoading = null;

/** hls.js as the Stagecast server serves it, loaded once, when a player first needs it (or the page's own). */
function loadHls(base) {
  if (window.Hls) return Promise.resolve(window.Hls);
  hlsLoading ??= new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement('script'), { src: `${base}/assets/hls.min.js` });
    script.onload = () => resolve(window.Hls);
    script.onerror = () => { hlsLoading = null; reject(new StagecastError(503, 'hls.js could not be loaded from the server')); };
    document.head.append(script);
  });
  return hlsLoading;
}

async function waitForIceGathering(pc) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise(resolve => {
    const done = () => { if (pc.iceGatheringState === 'complete') resolve(); };
    pc.addEventListener('icegatheringstatechange', done);
    setTimeout(resolve, 2000);
  });
}

/** One WHIP or WHEP session: offer, answer, and the resource to DELETE at the end. */
class WebRtcSession {
  /** @param {RTCPeerConnection} pc */
  constructor(pc) { this.pc = pc; this.resource = null; }

  async negotiate(url, token) {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await waitForIceGathering(this.pc);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
      body: this.pc.localDescription.sdp,
    });
    const body = await response.text();
    if (response.status !== 201) {
      let message = body;
      try { message = JSON.parse(body).error.message; } catch { /* not the error envelope */ }
      throw new StagecastError(response.status, message);
    }

    this.resource = new URL(response.headers.get('Location'), url).toString();
    await this.pc.setRemoteDescription({ type: 'answer', sdp: body });
  }

  /**
   * Ends the session: its resource is deleted, then the connection closed (a closed connection's DTLS close_notify ends
   * the session on the server at once, and a DELETE after it would be answered 404). Settles when both are done.
   */
  close(token) {
    const resource = this.resource;
    this.resource = null;
    const deleted = resource ? fetch(resource, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } }).then(() => {}, () => {}) : Promise.resolve();
    return deleted.then(() => this.pc.close());
  }

  /** The server ended the session (its publisher left the stage): the connection closes, there is nothing to delete. */
  abandon() {
    this.resource = null;
    this.pc.close();
  }

  /**
   * What its connection carried since the last call: packets received and lost, seconds of received video frozen, and
   * whether the browser holds back the video it sends for lack of bandwidth. A stream seen for the first time counts
   * from then on.
   * @returns {Promise<{ received: number, lost: number, frozen: number, limited: boolean }>}
   */
  async sample() {
    const totals = { received: 0, lost: 0, frozen: 0, limited: false };
    if (this.pc.connectionState !== 'connected') return totals;
    const last = this._counts ?? new Map();
    this._counts = new Map();
    (await this.pc.getStats()).forEach(report => {
      if (report.type === 'inbound-rtp') {
        const now = { received: report.packetsReceived ?? 0, lost: Math.max(0, report.packetsLost ?? 0), frozen: report.totalFreezesDuration ?? 0 };
        const before = last.get(report.id) ?? now;
        this._counts.set(report.id, now);
        totals.received += now.received - before.received;
        totals.lost += Math.max(0, now.lost - before.lost);
        totals.frozen += now.frozen - before.frozen;
      } else if (report.type === 'outbound-rtp' && report.kind === 'video' && report.qualityLimitationReason === 'bandwidth') {
        totals.limited = true;
      }
    });
    return totals;
  }
}

/** How often the meeting's connections are sampled for {@link Self.connection}. */
const CONNECTION_SAMPLE_MS = 2000;

/** A remote participant, as RealtimeKit's `RTKParticipant`. */
class Participant extends Emitter {
  constructor(view) {
    super();
    this.id = view.id;
    this.userId = view.user_id;
    this.customParticipantId = view.custom_participant_id;
    this.name = view.name;
    this.picture = view.picture;
    this.presetName = view.preset_name;
    /** `ON_STAGE`, `OFF_STAGE` (the audience), `REQUESTED_TO_JOIN_STAGE`, `ACCEPTED_TO_JOIN_STAGE`. */
    this.stageStatus = StageStatus[view.stage_status] ?? StageStatus.ON_STAGE;
    this.audioEnabled = false;
    this.videoEnabled = false;
    this.screenShareEnabled = false;
    /** @type {MediaStreamTrack | null} */ this.audioTrack = null;
    /** @type {MediaStreamTrack | null} */ this.videoTrack = null;
    /** @type {MediaStreamTrack[]} */ this.screenShareTracks = [];
    this._flags = { audio: !!view.audio_enabled, video: !!view.video_enabled, screenshare: !!view.screenshare_enabled };
    /** @type {Record<string, WebRtcSession | undefined>} */ this._subscriptions = {};
  }
}

/** The remote participants in the meeting: a live map with events. */
class ParticipantMap extends Emitter {
  #items = new Map();

  /** @param {string} id */
  get(id) { return this.#items.get(id); }

  size() { return this.#items.size; }

  toArray() { return [...this.#items.values()]; }

  _set(participant) { this.#items.set(participant.id, participant); }

  _delete(id) { this.#items.delete(id); }
}

/** The local participant, as RealtimeKit's `meeting.self`. */
class Self extends Emitter {
  constructor(meeting) {
    super();
    this._meeting = meeting;
    this.id = null;
    this.userId = null;
    this.name = null;
    this.roomJoined = false;
    /** `init`, `waitlisted` (a host has to let you in), `joined`, `rejected`, `left`, `kicked`, `disconnected`. */
    this.roomState = 'init';
    this.permissions = null;
    this.audioEnabled = false;
    this.videoEnabled = false;
    this.screenShareEnabled = false;
    /** @type {MediaStreamTrack | null} */ this.audioTrack = null;
    /** @type {MediaStreamTrack | null} */ this.videoTrack = null;
    /** @type {MediaStreamTrack[]} */ this.screenShareTracks = [];
    this._devices = { audio: undefined, video: undefined };
    /** @type {WebRtcSession | null} */ this._camera = null;
    /** @type {WebRtcSession | null} */ this._screen = null;
    /**
     * How well this browser's connections carry the meeting (as RealtimeKit's `poorConnection` warns): `weak` once, over
     * {@link CONNECTION_SAMPLE_MS}, more than 5 % of the packets received were lost, a received picture froze half a
     * second or more, the browser held back the video it sends for lack of bandwidth, or the server paused a video this
     * participant watches because its downlink cannot carry it (the server's `downlink` message: a picture stopped
     * cleanly shows neither loss nor a freeze); `good` again after two samples without. Each change, and each change of
     * the reasons while weak, is a `connectionUpdate` event.
     * @type {'good' | 'weak'}
     */
    this.connection = 'good';
    this._reasons = '';
    this._clearSamples = 0;
    /** How many of the videos this participant watches the server paused for its downlink, as it said last. */
    this._pausedVideos = 0;
  }

  /** Samples its connections once; see {@link Self.connection}. */
  async _sampleConnection() {
    const sessions = [this._camera, this._screen, ...this._meeting.participants.joined.toArray().flatMap(p => Object.values(p._subscriptions))];
    const samples = await Promise.all(sessions.filter(s => s).map(s => s.sample().catch(() => null)));
    let received = 0, lost = 0, frozen = 0, limited = false;
    for (const sample of samples.filter(s => s)) {
      received += sample.received; lost += sample.lost; frozen += sample.frozen; limited ||= sample.limited;
    }

    const reasons = [];
    if (received + lost >= 20 && lost > 0.05 * (received + lost)) reasons.push('loss');
    if (frozen >= 0.5) reasons.push('freezes');
    if (limited) reasons.push('bandwidth');
    if (this._pausedVideos > 0) reasons.push('downlink');
    this._clearSamples = reasons.length ? 0 : this._clearSamples + 1;
    const connection = reasons.length ? 'weak' : this._clearSamples >= 2 ? 'good' : this.connection;
    const why = reasons.join();
    if (connection !== this.connection || (reasons.length && why !== this._reasons)) {
      this.connection = connection;
      if (reasons.length) this._reasons = why;
      this.emit('connectionUpdate', { connection, reasons });
    }
  }

  /** Sets the name others see; only before join. @param {string} name */
  setName(name) {
    if (this.roomJoined) throw new StagecastError(400, 'setName() is for before join(); the name is fixed once in the meeting');
    this.name = name;
  }

  async enableAudio() { await this.#enable('audio'); }

  async disableAudio() { await this.#disable('audio'); }

  async enableVideo() { await this.#enable('video'); }

  async disableVideo() { await this.#disable('video'); }

  /** Shares the screen (the browser asks which), published as the `screenshare` source. */
  async enableScreenShare() {
    const meeting = this._meeting;
    meeting._requireJoined();
    if (meeting.stage.status !== StageStatus.ON_STAGE) throw new StagecastError(403, 'join the stage to share your screen');
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const pc = meeting._peerConnection();
    for (const track of stream.getTracks()) {
      pc.addTransceiver(track, { direction: 'sendonly' });
      track.addEventListener('ended', () => this.disableScreenShare());
    }

    const session = new WebRtcSession(pc);
    await session.negotiate(meeting._url(`/realtime/v1/peers/${this.id}/whip?source=screenshare`), meeting._token);
    this._screen = session;
    this.screenShareTracks = stream.getTracks();
    this.screenShareEnabled = true;
    this.emit('screenShareUpdate', { screenShareEnabled: true, screenShareTracks: this.screenShareTracks });
  }

  async disableScreenShare() {
    if (!this._screen) return;
    const ended = this._screen.close(this._meeting._token);
    this._screen = null;
    for (const track of this.screenShareTracks) track.stop();
    this.screenShareTracks = [];
    this.screenShareEnabled = false;
    this.emit('screenShareUpdate', { screenShareEnabled: false, screenShareTracks: [] });
    await ended;
  }

  /** The cameras, microphones and speakers the browser offers. */
  async getAllDevices() { return navigator.mediaDevices.enumerateDevices(); }

  /** Uses a device (from getAllDevices) for the camera or microphone, now if it is on. @param {MediaDeviceInfo} device */
  async setDevice(device) {
    const kind = device.kind === 'audioinput' ? 'audio' : device.kind === 'videoinput' ? 'video' : null;
    if (!kind) throw new StagecastError(400, `a ${device.kind} cannot be chosen here`);
    this._devices[kind] = device.deviceId;
    if (this[`${kind}Enabled`]) {
      const track = await this.#capture(kind);
      const old = this[`${kind}Track`];
      await this.#sender(kind)?.replaceTrack(track);
      old?.stop();
      this[`${kind}Track`] = track;
    }

    this.emit('deviceUpdate', { device });
  }

  async #capture(kind) {
    const constraints = kind === 'audio'
      ? { audio: this._devices.audio ? { deviceId: { exact: this._devices.audio } } : true }
      : { video: this._devices.video ? { deviceId: { exact: this._devices.video } } : true };
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    return stream.getTracks()[0];
  }

  #sender(kind) {
    return this._camera?.pc.getTransceivers().find(t => t.receiver.track.kind === kind)?.sender;
  }

  async #enable(kind) {
    const meeting = this._meeting;
    meeting._requireJoined();
    if (this[`${kind}Enabled`]) return;
    const allowed = kind === 'audio' ? this.permissions.can_produce_audio : this.permissions.can_produce_video;
    if (!allowed) throw new StagecastError(403, `this participant's preset may not produce ${kind}`);
    const track = await this.#capture(kind);
    this[`${kind}Track`] = track;
    // Off the stage the track stays here (a preview); joining the stage publishes it.
    if (meeting.stage.status === StageStatus.ON_STAGE) {
      try {
        if (this._camera) await this.#sender(kind).replaceTrack(track);
        else await this.#publishCamera();
      } catch (error) {
        track.stop();
        this[`${kind}Track`] = null;
        throw error;
      }

      await meeting._request('media_state', { [`${kind}_enabled`]: true });
    }

    this[`${kind}Enabled`] = true;
    this.emit(`${kind}Update`, { [`${kind}Enabled`]: true, [`${kind}Track`]: track });
  }

  /** The camera source: one connection with an audio and a video transceiver; a track not on yet is sent later. */
  async #publishCamera() {
    const meeting = this._meeting;
    const pc = meeting._peerConnection();
    pc.addTransceiver(this.audioTrack ?? 'audio', { direction: 'sendonly' });
    pc.addTransceiver(this.videoTrack ?? 'video', { direction: 'sendonly' });
    const session = new WebRtcSession(pc);
    this._camera = session;
    try {
      await session.negotiate(meeting._url(`/realtime/v1/peers/${this.id}/whip?source=camera`), meeting._token);
    } catch (error) {
      if (this._camera === session) this._camera = null;
      pc.close();
      throw error;
    }

    pc.addEventListener('connectionstatechange', () => { if (pc.connectionState === 'failed' && this._camera === session) meeting._republish(); });
  }

  /**
   * The server ended what it published (off the stage, or moved to another meeting): the sessions are let go and the
   * screen share ends; the camera and microphone stay as they are.
   */
  _published() {
    for (const session of [this._camera, this._screen]) session?.abandon();
    this._camera = null;
    this._screen = null;
    if (this.screenShareEnabled) {
      for (const track of this.screenShareTracks) track.stop();
      this.screenShareTracks = [];
      this.screenShareEnabled = false;
      this.emit('screenShareUpdate', { screenShareEnabled: false, screenShareTracks: [] });
    }
  }

  /** On the stage now: the tracks turned on meanwhile are published. */
  async _stageJoined() {
    const kinds = ['audio', 'video'].filter(kind => this[`${kind}Enabled`]);
    if (kinds.length === 0 || this._camera) return;
    await this.#publishCamera();
    await this._meeting._request('media_state', Object.fromEntries(kinds.map(kind => [`${kind}_enabled`, true])));
  }

  /** Off the stage now: the server ended what it published; the camera, microphone and screen turn off. */
  _stageLeft() {
    this._published();
    for (const kind of ['audio', 'video']) {
      if (!this[`${kind}Enabled`]) continue;
      this[`${kind}Track`]?.stop();
      this[`${kind}Track`] = null;
      this[`${kind}Enabled`] = false;
      this.emit(`${kind}Update`, { [`${kind}Enabled`]: false, [`${kind}Track`]: null });
    }
  }

  async #disable(kind) {
    if (!this[`${kind}Enabled`]) return;
    this[`${kind}Enabled`] = false;
    if (this._camera) await this._meeting._request('media_state', { [`${kind}_enabled`]: false }).catch(() => {});
    await this.#sender(kind)?.replaceTrack(null);
    this[`${kind}Track`]?.stop();
    this[`${kind}Track`] = null;
    this.emit(`${kind}Update`, { [`${kind}Enabled`]: false, [`${kind}Track`]: null });
  }
}

/** `meeting.chat`. */
class Chat extends Emitter {
  constructor(meeting) { super(); this._meeting = meeting; /** @type {any[]} */ this.messages = []; }

  /** @param {string} text */
  async sendTextMessage(text) {
    const data = await this._meeting._request('chat_send', { text });
    return data.message;
  }

  /**
   * A picture (PNG, JPEG, GIF or WebP) to everyone, as RealtimeKit's: uploaded through the server's signed upload,
   * then sent; the others get an `image` message with its `link`.
   * @param {File} file
   */
  async sendImageMessage(file) {
    if (!/^image\/(png|jpeg|gif|webp)$/.test(file?.type ?? '')) throw new StagecastError(400, 'sendImageMessage takes a PNG, JPEG, GIF or WebP picture');
    return this.#sendFile(file);
  }

  /**
   * Any file chat takes (documents, archives, audio, video, pictures), as RealtimeKit's: the others get a `file`
   * message (an `image` one for a picture) with its `link`, `name` and `size`.
   * @param {File} file
   */
  async sendFileMessage(file) { return this.#sendFile(file); }

  async #sendFile(file) {
    const upload = await this._meeting._request('chat_upload', { filename: file.name });
    const response = await fetch(upload.upload_url, { method: 'PUT', body: file, headers: { 'Content-Type': 'application/octet-stream' } })
      .catch(() => { throw new StagecastError(503, 'the file could not be uploaded'); });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      throw new StagecastError(response.status, body?.error?.message ?? `the upload was answered ${response.status}`);
    }
    const data = await this._meeting._request('chat_send', { file: upload.link });
    return data.message;
  }

  _add(message) {
    if (this.messages.some(m => m.id === message.id)) return;
    const view = Chat.#view(message);
    this.messages.push(view);
    this.emit('chatUpdate', { message: view, messages: this.messages });
  }

  /** Older messages (a page of the history, oldest first) go before those the client has. */
  _addOlder(messages) {
    const views = messages.filter(message => !this.messages.some(m => m.id === message.id)).map(Chat.#view);
    this.messages.unshift(...views);
    for (const view of views) this.emit('chatUpdate', { message: view, messages: this.messages });
  }

  /** RealtimeKit's message: `message` for a text; `link`, `name` and `size` for an image or a file. */
  static #view(message) {
    const text = message.type === 'text';
    const link = message.type === 'file' ? Chat.#fileLink(message.text) : message.type === 'image' ? message.text : '';
    return { id: message.id, type: message.type, message: text ? message.text : '', link, name: message.file_name ?? '', size: message.file_size ?? 0,
      userId: message.user_id, peerId: message.peer_id, displayName: message.display_name, time: new Date(message.created_at) };
  }

  static #fileLink(text) {
    try { return JSON.parse(text).link ?? ''; } catch { return ''; }
  }
}

/** `meeting.polls`. */
class Polls extends Emitter {
  constructor(meeting) { super(); this._meeting = meeting; /** @type {any[]} */ this.items = []; }

  /** @param {string} question @param {string[]} options @param {boolean} [anonymous] @param {boolean} [hideVotes] */
  async create(question, options, anonymous = false, hideVotes = false) {
    const data = await this._meeting._request('poll_create', { question, options, anonymous, hide_votes: hideVotes });
    return this._update(data.poll);
  }

  /** @param {string} pollId @param {number} optionIndex */
  async vote(pollId, optionIndex) {
    const data = await this._meeting._request('poll_vote', { poll_id: pollId, option: optionIndex });
    return this._update(data.poll);
  }

  _update(poll) {
    const view = Polls.#view(poll);
    const index = this.items.findIndex(p => p.id === poll.id);
    const isNew = index < 0;
    if (isNew) this.items.push(view); else this.items[index] = view;
    this.emit('pollsUpdate', { polls: this.items, newPoll: isNew, poll: view });
    return view;
  }

  /** Older polls (a page, oldest first) go before those the client has. */
  _addOlder(polls) {
    const views = polls.filter(poll => !this.items.some(p => p.id === poll.id)).map(Polls.#view);
    this.items.unshift(...views);
    for (const view of views) this.emit('pollsUpdate', { polls: this.items, newPoll: true, poll: view });
  }

  static #view(poll) {
    return { id: poll.id, question: poll.question, anonymous: poll.anonymous, hideVotes: poll.hide_votes, createdBy: poll.created_by,
      voted: poll.voted, options: poll.options.map(o => ({ text: o.text, count: o.count, votes: o.votes })) };
  }
}

/** How many live transcript lines `meeting.ai.transcripts` keeps: the newest, so a long meeting's list stays bounded. */
const TRANSCRIPTS_KEPT = 200;

/**
 * `meeting.ai`, as RealtimeKit's `meeting.ai`: the live transcripts the server's speech engine makes of the participants
 * whose preset has `transcription_enabled`, one line per utterance (final when it comes), the newest 200 kept.
 */
class Ai extends Emitter {
  constructor() { super(); /** @type {any[]} */ this.transcripts = []; }

  _add(message) {
    const line = { id: message.id, peerId: message.peer_id, userId: message.user_id, customParticipantId: message.custom_participant_id,
      name: message.name, transcript: message.text, isPartialTranscript: false, date: new Date(message.started_at), endedAt: new Date(message.ended_at) };
    this.transcripts.push(line);
    if (this.transcripts.length > TRANSCRIPTS_KEPT) this.transcripts.splice(0, this.transcripts.length - TRANSCRIPTS_KEPT);
    this.emit('transcript', line);
  }
}

/**
 * `meeting.recording`, as RealtimeKit's `meeting.recording`: whether the meeting is being recorded (`RECORDING`,
 * `PAUSED`, `IDLE`), so an app can tell its participants. Recordings are started through the REST API.
 */
class Recording extends Emitter {
  constructor() {
    super();
    /** @type {'IDLE' | 'RECORDING' | 'PAUSED'} */ this.recordingState = 'IDLE';
    /** @type {string | null} */ this.id = null;
  }

  _apply(view) {
    const state = !view || view.state === 'STOPPED' ? 'IDLE' : view.state;
    this.id = view && state !== 'IDLE' ? view.id : null;
    if (state === this.recordingState) return;
    this.recordingState = state;
    this.emit('recordingUpdate', state);
  }
}

/**
 * `meeting.stage`, as RealtimeKit's `RTKStage`: in a webinar, a livestream or an audio room only who is on the stage
 * publishes; the audience asks to join, a host lets it on, and it joins. A meeting without a stage has everyone on it.
 */
class Stage extends Emitter {
  constructor(meeting) {
    super();
    this._meeting = meeting;
    /** @type {string} `ON_STAGE`, `OFF_STAGE`, `REQUESTED_TO_JOIN_STAGE` or `ACCEPTED_TO_JOIN_STAGE`. */
    this.status = StageStatus.OFF_STAGE;
    /** @type {{ peerId: string, userId: string, displayName: string, requestedAt: Date | null }[]} */ this._requests = [];
  }

  /** Who asks to join the stage, oldest first (for a host: a preset with accept_stage_requests). */
  getAccessRequests() { return { stageRequests: [...this._requests] }; }

  /** Asks the hosts to let you on the stage. */
  async requestAccess() { await this.#move('stage_request'); }

  /** Withdraws your request. */
  async cancelRequestAccess() { await this.#move('stage_cancel_request'); }

  /** Joins the stage (at will, or once a host let you): the tracks you turned on are published. */
  async join() { await this.#move('stage_join'); }

  /** Leaves the stage (or declines an invitation): what you published ends, your camera and microphone turn off. */
  async leave() { await this.#move('stage_leave'); }

  /** Lets participants on the stage: those asking, or others (an invitation). @param {string[]} ids user ids or participant ids */
  async grantAccess(ids) { await this.#act('stage_grant', ids); }

  /** Turns their requests down (or withdraws invitations). @param {string[]} ids */
  async denyAccess(ids) { await this.#act('stage_deny', ids); }

  /** Sends participants off the stage: what they publish ends. @param {string[]} ids */
  async kick(ids) { await this.#act('stage_kick', ids); }

  async #move(type) {
    const data = await this._meeting._request(type);
    this._meeting._stageMoved(data.self.stage_status, null);
  }

  /** A participant's id (a peer's, yours too) or its user id, as RealtimeKit's apps pass either. */
  async #act(type, ids) {
    const meeting = this._meeting;
    const peer = id => id === meeting.self.id || !!meeting.participants.joined.get(id);
    await meeting._request(type, { peer_ids: ids.filter(peer), user_ids: ids.filter(id => !peer(id)) });
  }

  _setRequests(views) {
    this._requests = views.map(v => ({ peerId: v.peer_id, userId: v.user_id, displayName: v.name ?? v.custom_participant_id,
      requestedAt: v.requested_at ? new Date(v.requested_at) : null }));
    this.emit('stageAccessRequestUpdate', [...this._requests]);
  }
}

const ClientState = { IDLE: 'IDLE', STARTING: 'STARTING', WAITING: 'WAITING_ON_MANUAL_INGESTION', LIVE: 'LIVESTREAMING', STOPPING: 'STOPPING' };

/** `meeting.livestream`, as RealtimeKit's `RTKLivestream`. */
class Livestream extends Emitter {
  constructor(meeting) {
    super();
    this._meeting = meeting;
    this.state = ClientState.IDLE;
    this.playbackUrl = null;
    /** @type {{ingestionServer: string, streamKey: string} | null} */ this.ingestionCredentials = null;
    this.viewerCount = 0;
    this.id = null;
    /** Whether the player plays the livestream now (over HLS). */
    this.watching = false;
    /** @type {HTMLVideoElement | null} */ this._video = null;
    this._hls = null;
    this._playerTurn = 0; // each start and stop takes a turn: a start that waited for hls.js goes on only if still its turn
  }

  /**
   * Plays the meeting's livestream in `video` whenever this participant is in the audience of a LIVESTREAM meeting
   * (off its stage) and the livestream is live; on the stage it watches the others over WebRTC instead, and back in the
   * audience the livestream plays again, without a reload. @param {HTMLVideoElement} video
   */
  attachPlayer(video) {
    this.detachPlayer();
    this._video = video;
    this._updatePlayer();
  }

  /** Stops playing the livestream in the element given to attachPlayer. */
  detachPlayer() {
    this.#stopPlayer();
    this._video = null;
  }

  /** Starts or stops the player as the stage, the livestream and the meeting say. */
  async _updatePlayer() {
    const meeting = this._meeting;
    const audience = meeting._inAudience() && meeting.self.roomJoined;
    const play = !!this._video && audience && this.state === ClientState.LIVE && !!this.playbackUrl;
    if (!play) { this.#stopPlayer(); return; }
    if (this.watching) return;
    this.#setWatching(true);
    const turn = ++this._playerTurn;
    const video = this._video;
    // By path on the server the module talks to, as the watch page does (a page's CSP may allow only that origin).
    const url = meeting._url(new URL(this.playbackUrl).pathname);
    const Hls = await loadHls(meeting._base).catch(error => { meeting.emit('error', error); return null; });
    if (turn !== this._playerTurn) return;
    if (Hls?.isSupported()) {
      const hls = this._hls = new Hls(HLS_CONFIG);
      hls.on(Hls.Events.ERROR, (_, data) => {
        if (!data.fatal || this._hls !== hls) return;
        this.#stopPlayer(); // tried again a moment later, if it should still play
        setTimeout(() => this._updatePlayer(), RETRY_MS);
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
    } else {
      this.#stopPlayer();
      meeting.emit('error', new StagecastError(415, 'this browser cannot play the livestream (HLS)'));
      return;
    }

    video.play().catch(() => { /* autoplay refused: the page's controls start it */ });
  }

  #stopPlayer() {
    this._playerTurn++;
    this._hls?.destroy();
    this._hls = null;
    if (this._video?.getAttribute('src')) { this._video.removeAttribute('src'); this._video.load(); }
    this.#setWatching(false);
  }

  #setWatching(watching) {
    if (this.watching === watching) return;
    this.watching = watching;
    this.emit('watchingUpdate', watching);
  }

  /** Starts livestreaming the meeting: its composite program, or what you push to `ingestionCredentials`. */
  async start({ manualIngestion = false } = {}) {
    const meeting = this._meeting;
    if (!meeting.self.permissions?.can_livestream) throw new StagecastError(1901, 'this participant may not livestream (can_livestream)');
    this.#setState(ClientState.STARTING);
    try {
      const data = await meeting._request('livestream_start', { manual_ingest: manualIngestion });
      this._apply(data.livestream);
    } catch (error) {
      this.#setState(ClientState.IDLE);
      throw error instanceof StagecastError && error.code >= 1900 && error.code <= 1902 ? error : new StagecastError(1900, error.message);
    }
  }

  /** Stops the meeting's livestream. */
  async stop() {
    const meeting = this._meeting;
    if (!meeting.self.permissions?.can_livestream) throw new StagecastError(1901, 'this participant may not livestream (can_livestream)');
    if (this.state === ClientState.IDLE) throw new StagecastError(1902, 'the livestream has not started');
    const before = this.state;
    this.#setState(ClientState.STOPPING);
    try {
      await meeting._request('livestream_stop');
    } catch (error) {
      this.#setState(before);
      throw error instanceof StagecastError && error.code >= 1900 && error.code <= 1902 ? error : new StagecastError(1900, error.message);
    }
  }

  _apply(view, stopped = false) {
    if (!view) return;
    this.id = view.id;
    this.playbackUrl = view.playback_url;
    const credentials = view.ingestion_credentials;
    this.ingestionCredentials = credentials ? { ingestionServer: credentials.ingestion_server, streamKey: credentials.stream_key } : null;
    this.#setState(stopped ? ClientState.IDLE : view.state === 'STARTING' ? ClientState.STARTING : view.state);
  }

  _viewers(count) {
    this.viewerCount = count;
    this.emit('viewerCountUpdate', count);
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (state === ClientState.IDLE) this.ingestionCredentials = null;
    this.emit('livestreamUpdate', state);
    this._updatePlayer();
  }
}

/** RealtimeKit's plugin frame protocol (`{ type, uuid, payload }`, types the socket's plugin event numbers, as 1.5.x's frames send them), which a plugin's web app speaks with the page framing it. */
const FRAME = { INSERT: (2 << 16) + 9, GET: (2 << 16) + 10, DELETE: (2 << 16) + 11 };

/**
 * What a plugin's frame may do: run its scripts, send forms and open links in new tabs, in its own origin (its storage,
 * and the origin its messages are known by). Not navigate the app's page (no `allow-top-navigation`), show modal
 * dialogs over the meeting, or download.
 */
const PLUGIN_SANDBOX = 'allow-scripts allow-same-origin allow-forms allow-popups';

/**
 * Where a plugin's web app is, if a page may frame it: an https: URL, http: on a loopback host, or a page of the
 * Stagecast server itself (its own plugins); null for anything else (`javascript:` or `data:`, which a frame runs in
 * the app's own origin, or plain http: across a network). The server gives only such URLs; this holds whatever it is sent.
 * @param {string | null | undefined} url @param {string} server
 */
function pluginAddress(url, server) {
  if (typeof url !== 'string' || url === '') return null;
  let address;
  try { address = new URL(url, new URL(server, location.href)); } catch { return null; }
  const loopback = address.hostname === 'localhost' || address.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(address.hostname);
  const own = address.origin === new URL(server, location.href).origin;
  const allowed = address.protocol === 'https:' || (address.protocol === 'http:' && loopback) || own;
  return allowed && !address.username && !address.password ? address : null;
}

/**
 * A plugin, as RealtimeKit's `RTKPlugin`: a web app the meeting shows in a frame for everyone once a host opens it.
 * Events `enabled` (opened for the meeting) and `closed`.
 */
class Plugin extends Emitter {
  constructor(plugins, view) {
    super();
    this._plugins = plugins;
    this.id = view.id;
    this._describe(view);
    this.active = false;
    /** The peer id of whoever opened it. */
    this.enabledBy = null;
    /** @type {Map<string, { iframe: HTMLIFrameElement, origin: string, listener: (event: MessageEvent) => void }>} the frames showing it */
    this._views = new Map();
  }

  /** What `plugins_list` says of it. */
  _describe(view) {
    this.name = view.name;
    this.description = view.description ?? '';
    this.picture = view.picture ?? null;
    /** Where its web app is; null for a plugin Stagecast does not know (a RealtimeKit 2.0.x app's own), which it cannot show. */
    this.baseURL = view.base_url ?? null;
    /** Whether this participant may open it (its preset's `plugins.can_start`, and the presets the plugin names). */
    this.canStart = !!view.can_start;
  }

  /** Opens it for everyone in the meeting. */
  activate() { return this._plugins.activate(this.id); }

  /** Closes it for everyone. */
  deactivate() { return this._plugins.deactivate(this.id); }

  /**
   * Shows the plugin in `iframe`, sandboxed, and carries the frame's messages (RealtimeKit's plugin frame protocol: 9
   * storeInsertKeys, 10 storeGetKeys, 11 storeDeleteKeys) to the plugin's shared stores on the server, and their
   * changes back, so every peer's frame shares them. The frame loads the plugin's web app, or the `src` it has when
   * that is on the web app's origin. Throws, touching nothing, for a plugin whose web app is not https: (http: on a
   * loopback host, or the Stagecast server's own): one Stagecast does not know has none.
   * @param {HTMLIFrameElement} iframe @param {string} [viewId]
   */
  addPluginView(iframe, viewId = 'default') {
    const address = pluginAddress(this.baseURL, this._plugins._meeting._base);
    if (!address) throw new Error(`plugin ${this.id} has no web app this page may frame (${this.baseURL ?? 'none'})`);
    const given = iframe.getAttribute('src') ? new URL(iframe.getAttribute('src'), location.href) : null;
    if (given && given.origin !== address.origin) throw new Error(`plugin ${this.id}'s frame must show its web app (${address.origin}), not ${given.origin}`);
    if (!given) address.searchParams.set('parent', location.origin);
    iframe.setAttribute('sandbox', PLUGIN_SANDBOX);
    iframe.src = (given ?? address).href; // loaded (again) under the sandbox
    this.removePluginView(viewId);
    const listener = event => {
      if (event.source !== iframe.contentWindow || event.origin !== address.origin) return;
      this.#fromFrame(iframe, address.origin, event.data ?? {}).catch(error => this._plugins._meeting.emit('error', error));
    };
    window.addEventListener('message', listener);
    this._views.set(viewId, { iframe, origin: address.origin, listener });
  }

  /** Stops carrying the messages of the frame added as `viewId`. @param {string} [viewId] */
  removePluginView(viewId = 'default') {
    const view = this._views.get(viewId);
    if (view) window.removeEventListener('message', view.listener);
    this._views.delete(viewId);
  }

  async #fromFrame(iframe, origin, { type, uuid, payload }) {
    const meeting = this._plugins._meeting;
    const store = payload?.store;
    if (typeof store !== 'string') return;
    if (type === FRAME.INSERT) {
      const items = (payload.insertKeys ?? []).map(k => ({ key: k.key, value: k.payload ?? null }));
      if (items.length) await meeting._request('plugin_store_insert', { plugin_id: this.id, store, items });
    } else if (type === FRAME.DELETE) {
      const keys = (payload.deleteKeys ?? []).map(k => k.key);
      if (keys.length) await meeting._request('plugin_store_delete', { plugin_id: this.id, store, keys });
    } else if (type === FRAME.GET) {
      const data = await meeting._request('plugin_store_get', { plugin_id: this.id, store, keys: (payload.getKeys ?? []).map(k => k.key) });
      iframe.contentWindow?.postMessage({ type: FRAME.GET, uuid, payload: { storeName: store, storeItems: data.items.map(i => ({ key: i.key, payload: i.value })) } }, origin);
    }
  }

  /** A change of one of its stores (`plugin_store_updated`), to every frame showing it. */
  _storeUpdated(message) {
    const payload = { storeName: message.store, storeItems: message.items.map(i => ({ key: i.key, payload: i.value })) };
    for (const { iframe, origin } of this._views.values()) {
      iframe.contentWindow?.postMessage({ type: message.deleted ? FRAME.DELETE : FRAME.INSERT, uuid: '', payload }, origin);
    }
  }
}

/**
 * `meeting.plugins`, as RealtimeKit's: `all` the plugins this participant may see (Stagecast's shared notes pad and the
 * app's registered ones), `active` those open in the meeting now. `active` emits `pluginAdded(plugin)` and
 * `pluginDeleted(plugin)`, `all` emits `stateUpdate({ id, active })`; the plugin itself `enabled` and `closed`.
 */
class Plugins {
  constructor(meeting) {
    this._meeting = meeting;
    /** @type {ParticipantMap} a live map with events, as the participants' */ this.all = new ParticipantMap();
    /** @type {ParticipantMap} */ this.active = new ParticipantMap();
  }

  /** Opens a plugin for everyone (a preset with `plugins.can_start`). @param {string} id */
  async activate(id) {
    const data = await this._meeting._request('plugin_activate', { plugin_id: id });
    this._activated(data.plugin);
  }

  /** Closes a plugin for everyone (its opener, or a preset with `plugins.can_close`). @param {string} id */
  async deactivate(id) {
    await this._meeting._request('plugin_deactivate', { plugin_id: id });
    this._deactivated(id);
  }

  /** At a join (and a rejoin): the plugins there are, and those open now (`plugins_list`); `join()` resolves with them known. */
  async _load() {
    const data = await this._meeting._request('plugins_list');
    for (const view of data.plugins) {
      const known = this.all.get(view.id);
      if (known) known._describe(view); else this.all._set(new Plugin(this, view));
    }
    const open = new Set(data.active.map(p => p.id));
    for (const plugin of this.active.toArray()) if (!open.has(plugin.id)) this._deactivated(plugin.id);
    for (const view of data.active) this._activated(view);
  }

  _activated(view) {
    let plugin = this.all.get(view.id);
    if (!plugin) {
      const descriptor = view.descriptor && typeof view.descriptor === 'object' ? view.descriptor : {};
      // Its web app is the server's word (its registration's), never the descriptor's, which its opener's client wrote.
      plugin = new Plugin(this, { id: view.id, name: typeof descriptor.name === 'string' ? descriptor.name : view.id, base_url: view.base_url ?? null });
      this.all._set(plugin);
    }
    if (plugin.active) return;
    plugin.active = true;
    plugin.enabledBy = view.opened_by;
    this.active._set(plugin);
    plugin.emit('enabled');
    this.active.emit('pluginAdded', plugin);
    this.all.emit('stateUpdate', { id: plugin.id, active: true });
  }

  _deactivated(id) {
    const plugin = this.active.get(id);
    if (!plugin) return;
    plugin.active = false;
    plugin.enabledBy = null;
    this.active._delete(id);
    plugin.emit('closed');
    this.active.emit('pluginDeleted', plugin);
    this.all.emit('stateUpdate', { id, active: false });
  }

  _storeUpdated(message) { this.all.get(message.plugin_id)?._storeUpdated(message); }
}

/** A meeting of a group of connected meetings, as the channel says it. */
function connectedMeeting(view) {
  return { id: view.id, title: view.title, participants: (view.participants ?? []).map(p => ({ id: p.id, customParticipantId: p.custom_participant_id, displayName: p.name })) };
}

/**
 * Breakout rooms, as RealtimeKit's `meeting.connectedMeetings`: the main meeting (`parentMeeting`) and its open rooms
 * (`meetings`), each with who is in it; a host makes, closes and moves people between them. A participant moved is
 * taken to its new meeting by the module itself (`changingMeeting`, then `meetingChanged`): the same `meeting` object
 * carries on there, with that meeting's peers, chat and polls. `stateUpdate` follows every change of the group.
 */
class ConnectedMeetings extends Emitter {
  constructor(meeting) {
    super();
    this._meeting = meeting;
    /** @type {{ id: string, title: string, participants: { id: string, customParticipantId: string, displayName: string | null }[] } | null} */
    this.parentMeeting = null;
    /** @type {{ id: string, title: string, participants: { id: string, customParticipantId: string, displayName: string | null }[] }[]} */
    this.meetings = [];
  }

  /** Whether the main meeting has breakout rooms open. */
  get isActive() { return this.meetings.length > 0; }

  /** Reads the group again; resolves with it. */
  async getConnectedMeetings() {
    this._apply(await this._meeting._request('connected_meetings'));
    return { parentMeeting: this.parentMeeting, meetings: this.meetings };
  }

  /** Makes breakout rooms (a host's preset), in order; resolves with them (`{ id, title }`). @param {{ title: string }[]} rooms */
  async createMeetings(rooms) {
    return (await this._meeting._request('connected_meetings_create', { titles: rooms.map(r => r.title) })).meetings;
  }

  /** Closes breakout rooms: whoever is in them comes back to the main meeting. @param {string[]} meetingIds */
  async deleteMeetings(meetingIds) {
    return (await this._meeting._request('connected_meetings_delete', { meeting_ids: meetingIds })).meetings;
  }

  /** Moves participants (their ids in the source meeting) to another meeting of the group. @param {string} sourceMeetingId @param {string} destinationMeetingId @param {string[]} participantIds */
  async moveParticipants(sourceMeetingId, destinationMeetingId, participantIds) {
    await this._meeting._request('connected_meetings_move', { source_meeting_id: sourceMeetingId, destination_meeting_id: destinationMeetingId, participant_ids: participantIds });
  }

  /** Moves participants, each under the preset named (`presetId`) in the destination. @param {string} sourceMeetingId @param {string} destinationMeetingId @param {{ id: string, presetId: string }[]} participants */
  async moveParticipantsWithCustomPreset(sourceMeetingId, destinationMeetingId, participants) {
    for (const presetId of new Set(participants.map(p => p.presetId))) {
      await this._meeting._request('connected_meetings_move', { source_meeting_id: sourceMeetingId, destination_meeting_id: destinationMeetingId,
        participant_ids: participants.filter(p => p.presetId === presetId).map(p => p.id), preset_id: presetId });
    }
  }

  _apply(data) {
    this.parentMeeting = connectedMeeting(data.parent_meeting);
    this.meetings = data.meetings.map(connectedMeeting);
    this.emit('stateUpdate', { parentMeeting: this.parentMeeting, meetings: this.meetings });
  }

  _created(rooms) {
    this.meetings = [...this.meetings.filter(m => !rooms.some(r => r.id === m.id)), ...rooms.map(connectedMeeting)];
    this.emit('stateUpdate', { parentMeeting: this.parentMeeting, meetings: this.meetings });
  }

  _deleted(rooms) {
    this.meetings = this.meetings.filter(m => !rooms.some(r => r.id === m.id));
    this.emit('stateUpdate', { parentMeeting: this.parentMeeting, meetings: this.meetings });
  }
}

/** A meeting joined with a participant token: `self`, `participants`, `stage`, `chat`, `polls`, `meta`, `livestream`, `recording`, `ai`, `plugins`, `connectedMeetings`. */
class Meeting extends Emitter {
  constructor(authToken, baseURI, iceTransportPolicy) {
    super();
    this._token = authToken;
    this._base = baseURI.replace(/\/+$/, '');
    this._iceTransportPolicy = iceTransportPolicy;
    /** @type {RTCIceServer[] | null} the server's STUN and TURN servers, fetched at join */
    this._iceServers = null;
    this._socket = null;
    this._pending = new Map();
    this._nextId = 1;
    this._leaving = false;
    this.self = new Self(this);
    const meeting = this;
    /** Also an emitter: `broadcastedMessage` `{ type, payload, timestamp, peerId }` for each app message (peerId null: the app's server). */
    this.participants = Object.assign(new Emitter(), {
      joined: new ParticipantMap(),
      /** Who waits in the waiting room (filled for participants whose preset may accept them). */
      waitlisted: new ParticipantMap(),
      activeSpeaker: null,
      /** Lets a waiting participant in. @param {string} id */
      acceptWaitingRoomRequest: id => meeting._request('waitlist_accept', { waitlist_id: id }),
      /** Turns a waiting participant away. @param {string} id */
      rejectWaitingRoomRequest: id => meeting._request('waitlist_reject', { waitlist_id: id }),
      /**
       * An app message (a type of your own and a JSON object) to everyone in the meeting, you included, as RealtimeKit
       * does; with `target` (`{ participantIds }` or `{ presetNames }`) only to those others; with `{ meetingIds }` to
       * everyone else in those meetings of the group of breakout rooms (`connected_meetings_can_alter`). Not stored.
       * @param {string} type @param {Record<string, unknown>} payload
       * @param {{ participantIds?: string[], presetNames?: string[], meetingIds?: string[] }} [target]
       */
      broadcastMessage: async (type, payload, target) => {
        const peers = target?.participantIds ?? (target?.presetNames && meeting.participants.joined.toArray()
          .filter(p => target.presetNames.includes(p.presetName)).map(p => p.id));
        const to = target?.meetingIds ? { meeting_ids: target.meetingIds } : peers ? { peer_ids: peers } : {};
        await meeting._request('broadcast_send', { message_type: type, payload, ...to });
        if (!target) meeting.participants.emit('broadcastedMessage', { type, payload, timestamp: Date.now(), peerId: meeting.self.id });
      },
    });
    this.stage = new Stage(this);
    this.chat = new Chat(this);
    this.polls = new Polls(this);
    this.livestream = new Livestream(this);
    this.recording = new Recording();
    this.ai = new Ai();
    this.plugins = new Plugins(this);
    this.connectedMeetings = new ConnectedMeetings(this);
    this.meta = { meetingId: null, meetingTitle: null, meetingStartedTimestamp: null, sessionId: null };
  }

  /** Enters the meeting: others see you, you see them and receive their media as they publish it. */
  async join() {
    this._leaving = false;
    this._iceServers ??= await this.#fetchIceServers();
    await this.#connect(null);
    await this.plugins._load().catch(error => this.emit('error', error));
  }

  /** The server's STUN and TURN servers, with credentials for this participant; none when it has none (or says no). */
  async #fetchIceServers() {
    try {
      const response = await fetch(this._url('/iceservers'), { headers: { Authorization: `Bearer ${this._token}` } });
      return response.ok ? (await response.json()).iceServers ?? [] : [];
    } catch {
      return [];
    }
  }

  /** A connection for one source or subscription, through the server's ICE servers (and only TURN, when asked to). */
  _peerConnection() {
    return new RTCPeerConnection({ iceServers: this._iceServers ?? [], iceTransportPolicy: this._iceTransportPolicy ?? 'all' });
  }

  /** Leaves the meeting: media stops, others see you go. */
  async leave() {
    this._leaving = true;
    // The media sessions end first, while the peer is in the meeting: after `leave` the server has ended them itself,
    // and deleting them then would be answered 404.
    const subscriptions = this.participants.joined.toArray().flatMap(p => Object.values(p._subscriptions));
    for (const participant of this.participants.joined.toArray()) participant._subscriptions = {};
    this.self._pausedVideos = 0;
    await Promise.all([this.self._camera?.close(this._token), this.self.disableScreenShare(), ...subscriptions.map(s => s?.close(this._token))]);
    this.self._camera = null;
    if (this._socket?.readyState === WebSocket.OPEN) await this._request('leave').catch(() => {});
    this._socket?.close();
    for (const kind of ['audio', 'video']) { this.self[`${kind}Track`]?.stop(); this.self[`${kind}Track`] = null; this.self[`${kind}Enabled`] = false; }
    for (const participant of this.participants.joined.toArray()) this.#remove(participant.id, 'left');
    this.self.roomJoined = false;
    this.self.roomState = 'left';
    this.livestream._updatePlayer();
    this.self.emit('roomLeft', { state: 'left' });
  }

  /**
   * A join answer carries the newest chat and polls up to a size; the older ones come page by page, each before the
   * oldest one had, paced by the server's rate limit (a refused page is asked for again a second later).
   */
  async #fetchOlder(type, first, more, itemsOf, add) {
    let before = first?.[0]?.id;
    while (more && before) {
      let page;
      try {
        page = await this._request(type, { before });
      } catch (error) {
        if (error.code !== 429) return;
        await new Promise(resolve => setTimeout(resolve, 1000));
        continue;
      }
      const items = itemsOf(page);
      add(items);
      before = items[0]?.id;
      more = page.more;
    }
  }

  /** Before joining, as RealtimeKit's `init`: the token is checked, `meta` gets the meeting's id and title, `self` its name. */
  async _loadMeta() {
    const response = await fetch(this._url('/realtime/v1/meeting'), { headers: { Authorization: `Bearer ${this._token}` } }).catch(() => null);
    if (!response) throw new StagecastError(503, 'the Stagecast server cannot be reached');
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new StagecastError(response.status, body?.error?.message ?? `the server answered ${response.status}`);
    this.meta.meetingId = body.data.meeting_id;
    this.meta.meetingTitle = body.data.title;
    this.self.name = body.data.name;
  }

  _url(path) { return `${this._base}${path}`; }

  _requireJoined() {
    if (!this.self.roomJoined) throw new StagecastError(400, 'join() the meeting first');
  }

  /** Whether this participant is in the audience of a LIVESTREAM meeting: it watches the livestream, not the others' WebRTC. */
  _inAudience() {
    return this.self.permissions?.view_type === 'LIVESTREAM' && this.stage.status !== StageStatus.ON_STAGE;
  }

  /**
   * This participant's place on the stage changed (an answer, a `stage_updated`, a join answer): publishing follows it,
   * and so do the subscriptions and the livestream's player of a LIVESTREAM meeting's audience. `change` (from the
   * server's event) tells a granted request from a denied one.
   */
  _stageMoved(serverStatus, change) {
    const stage = this.stage;
    const status = StageStatus[serverStatus] ?? StageStatus.ON_STAGE;
    const was = stage.status;
    if (status !== was) {
      stage.status = status;
      stage.emit('stageStatusUpdate', status);
      if (was === StageStatus.ON_STAGE) this.self._stageLeft();
      if (status === StageStatus.ON_STAGE) this.self._stageJoined().catch(error => this.emit('error', error));
      for (const participant of this.participants.joined.toArray()) this.#follow(participant);
      this.livestream._updatePlayer();
    }

    if (change === 'granted') stage.emit('stageRequestApproved');
    if (change === 'denied') stage.emit('stageRequestRejected');
  }

  /** Sends a channel request; resolves with its answer's data, rejects with a StagecastError. */
  _request(type, fields = {}) {
    const socket = this._socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new StagecastError(503, 'not connected to the meeting'));
    const id = String(this._nextId++);
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject, socket });
      socket.send(JSON.stringify({ type, id, ...fields }));
    });
  }

  /** The camera's connection failed (a network change): publish it again with the tracks on. */
  async _republish() {
    const self = this.self;
    const kinds = ['audio', 'video'].filter(kind => self[`${kind}Enabled`]);
    self._camera?.close(this._token);
    self._camera = null;
    for (const kind of kinds) { self[`${kind}Track`]?.stop(); self[`${kind}Track`] = null; self[`${kind}Enabled`] = false; }
    for (const kind of kinds) await (kind === 'audio' ? self.enableAudio() : self.enableVideo()).catch(() => {});
  }

  async #connect(resumePeerId) {
    const socket = new WebSocket(`${this._base.replace(/^http/, 'ws')}/realtime/v1?token=${encodeURIComponent(this._token)}`);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new StagecastError(401, 'the meeting refused the connection (is the token valid?)'));
    });
    this._socket = socket;
    socket.onmessage = event => this.#receive(JSON.parse(event.data));
    socket.onclose = () => this.#closed(socket);
    const fields = {};
    if (this.self.name && !resumePeerId) fields.name = this.self.name;
    if (resumePeerId) fields.peer_id = resumePeerId;
    try {
      const data = await this._request('join', fields);
      this.#joined(data);
    } catch (error) {
      // Turned away by a host (403), or the wait ended otherwise: another tab of this participant waits now (409), the connection dropped.
      if (this.self.roomState === 'waitlisted') {
        this.self.roomState = error.code === 403 ? 'rejected' : 'disconnected';
        this.self.emit('roomLeft', { state: this.self.roomState });
      }
      throw error;
    }
  }

  #joined(data) {
    const self = this.self;
    const view = data.self;
    self.id = data.peer_id;
    self.userId = view.user_id;
    self.name = view.name;
    self.permissions = data.permissions;
    this.meta = { meetingId: data.meeting.id, meetingTitle: data.meeting.title, meetingStartedTimestamp: data.meeting.started_at ? new Date(data.meeting.started_at) : null,
      sessionId: data.meeting.session_id };
    const present = new Set(data.peers.map(p => p.id));
    for (const participant of this.participants.joined.toArray()) if (!present.has(participant.id)) this.#remove(participant.id, 'left');
    this._stageMoved(view.stage_status, null);
    for (const peer of data.peers) this.#upsert(peer);
    this.stage._setRequests(data.stage_requests ?? []);
    for (const message of data.chat ?? []) this.chat._add(message);
    for (const poll of data.polls ?? []) this.polls._update(poll);
    this.#fetchOlder('chat_history', data.chat, data.more_chat, page => page.messages, items => this.chat._addOlder(items));
    this.#fetchOlder('polls_list', data.polls, data.more_polls, page => page.polls, items => this.polls._addOlder(items));
    if (data.livestream) this.livestream._apply(data.livestream);
    this.recording._apply(data.recording);
    this.#waitlist(data.waitlisted ?? []);
    this.participants.activeSpeaker = data.active_speaker ? this.participants.joined.get(data.active_speaker) ?? null : null;
    if (!self.roomJoined) {
      self.roomJoined = true;
      self.roomState = 'joined';
      this._connectionTimer ??= setInterval(() => {
        if (self.roomJoined) self._sampleConnection().catch(() => {});
        else if (['left', 'kicked', 'rejected'].includes(self.roomState)) { clearInterval(this._connectionTimer); this._connectionTimer = undefined; }
      }, CONNECTION_SAMPLE_MS);
      self.emit('roomJoined', { reconnected: !!data.resumed });
    }

    this.livestream._updatePlayer();
  }

  /**
   * A host (or this participant) moved it to another meeting of the group: the server ended its peer and media here and
   * closes this socket (4002) once the answers still due on it are sent; it joins there with the token given, its
   * camera and microphone as they were.
   */
  async #move(meetingId, token) {
    this.connectedMeetings.emit('changingMeeting', meetingId);
    this._socket = null; // its close is expected: no reconnect here
    for (const participant of this.participants.joined.toArray()) {
      for (const session of Object.values(participant._subscriptions)) session?.abandon();
      participant._subscriptions = {};
      this.#remove(participant.id, 'left');
    }

    this.self._pausedVideos = 0; // those subscriptions end with the old meeting, and its server says no more

    this.self._published();
    this.chat.messages = [];
    this.polls.items = [];
    this._token = token;
    await this.#connect(null);
    await this.plugins._load().catch(error => this.emit('error', error));
    if (this.stage.status === StageStatus.ON_STAGE) await this.self._stageJoined();
    this.connectedMeetings.emit('meetingChanged', this);
  }

  #closed(socket) {
    for (const [id, request] of this._pending) {
      if (request.socket !== socket) continue;
      this._pending.delete(id);
      request.reject(new StagecastError(503, 'the connection to the meeting closed'));
    }

    if (socket !== this._socket) return; // a socket left behind by a move
    if (this._leaving || !this.self.roomJoined) return;
    // A network drop: rejoin with the same peer within the grace, so the others see no leave.
    const started = Date.now();
    const retry = async () => {
      if (this._leaving) return;
      try {
        await this.#connect(this.self.id);
        this.plugins._load().catch(error => this.emit('error', error));
        this.emit('reconnected');
      } catch {
        if (Date.now() - started < GRACE_MS) setTimeout(retry, RETRY_MS);
        else { this.self.roomJoined = false; this.self.roomState = 'disconnected'; this.self.emit('roomLeft', { state: 'disconnected' }); }
      }
    };
    this.emit('reconnecting');
    setTimeout(retry, RETRY_MS);
  }

  #receive(message) {
    if (message.id != null && this._pending.has(String(message.id))) {
      const { resolve, reject } = this._pending.get(String(message.id));
      this._pending.delete(String(message.id));
      if (message.type === 'ok') resolve(message.data);
      else reject(new StagecastError(message.code ?? 500, message.message ?? 'the request failed'));
      return;
    }

    switch (message.type) {
      case 'peer_joined': this.#upsert(message.peer); break;
      case 'peer_updated':
        if (message.peer.id === this.self.id) { this.self.name = message.peer.name; break; }
        this.#upsert(message.peer);
        break;
      case 'peer_left': this.#remove(message.peer_id, message.reason); break;
      case 'stage_updated':
        if (message.peer.id === this.self.id) this._stageMoved(message.peer.stage_status, message.change);
        else this.#upsert(message.peer);
        break;
      case 'stage_requests': this.stage._setRequests(message.requests); break;
      case 'permissions_updated': // a host changed what this participant may do, for the session
        this.self.permissions = message.permissions;
        this.self.emit('permissionsUpdate', message.permissions);
        break;
      case 'active_speaker': {
        const participant = this.participants.joined.get(message.peer_id) ?? null;
        this.participants.activeSpeaker = participant;
        this.participants.joined.emit('activeSpeaker', participant ?? { id: message.peer_id });
        break;
      }
      case 'chat_message': this.chat._add(message.message); break;
      case 'poll_updated': this.polls._update(message.poll); break;
      case 'broadcast_message':
        this.participants.emit('broadcastedMessage',
          { type: message.message_type, payload: message.payload, timestamp: Date.parse(message.sent_at), peerId: message.peer_id });
        break;
      case 'livestream_invoked': case 'livestream_started': case 'livestream_errored':
        this.livestream._apply(message.livestream);
        break;
      case 'livestream_stopped': this.livestream._apply(message.livestream, true); break;
      case 'recording_updated': this.recording._apply(message.recording); break;
      case 'transcript': this.ai._add(message); break;
      case 'plugin_activated': this.plugins._activated(message.plugin); break;
      case 'plugin_deactivated': this.plugins._deactivated(message.plugin_id); break;
      case 'plugin_store_updated': this.plugins._storeUpdated(message); break;
      case 'viewer_count': this.livestream._viewers(message.count); break;
      case 'downlink': this.self._pausedVideos = message.paused_videos; break;
      case 'connected_meetings_created': this.connectedMeetings._created(message.meetings); break;
      case 'connected_meetings_deleted': this.connectedMeetings._deleted(message.meetings); break;
      case 'connected_meetings_updated': this.connectedMeetings._apply(message); break;
      case 'moved': this.#move(message.meeting_id, message.token).catch(error => this.emit('error', error)); break;
      case 'kicked':
        this._leaving = true;
        this.self.roomJoined = false;
        this.self.roomState = 'kicked';
        this.livestream._updatePlayer();
        this.self.emit('roomLeft', { state: 'kicked', reason: message.reason });
        break;
      case 'waitlisted': this.self.roomState = 'waitlisted'; this.self.emit('waitlisted'); break;
      case 'waitlist_added': this.#addWaiting(message.waitlisted); break;
      case 'waitlist_removed': this.#removeWaiting(message.waitlist_id); break;
      default: this.emit(message.type, message); break;
    }
  }

  /** The whole waiting list (a join answer): who is no longer in it leaves, who is new joins. */
  #waitlist(views) {
    const ids = new Set(views.map(v => v.id));
    for (const waiting of this.participants.waitlisted.toArray()) if (!ids.has(waiting.id)) this.#removeWaiting(waiting.id);
    for (const view of views) this.#addWaiting(view);
  }

  #addWaiting(view) {
    const map = this.participants.waitlisted;
    if (map.get(view.id)) return;
    const waiting = { id: view.id, userId: view.user_id, customParticipantId: view.custom_participant_id, name: view.name, presetName: view.preset_name,
      requestedAt: new Date(view.requested_at) };
    map._set(waiting);
    map.emit('participantJoined', waiting);
  }

  #removeWaiting(id) {
    const map = this.participants.waitlisted;
    const waiting = map.get(id);
    if (!waiting) return;
    map._delete(id);
    map.emit('participantLeft', waiting);
  }

  #upsert(view) {
    const map = this.participants.joined;
    let participant = map.get(view.id);
    const isNew = !participant;
    if (isNew) {
      participant = new Participant(view);
      map._set(participant);
      map.emit('participantJoined', participant);
    } else {
      participant.name = view.name;
      participant._flags = { audio: !!view.audio_enabled, video: !!view.video_enabled, screenshare: !!view.screenshare_enabled };
      const stageStatus = StageStatus[view.stage_status] ?? StageStatus.ON_STAGE;
      if (participant.stageStatus !== stageStatus) {
        participant.stageStatus = stageStatus;
        participant.emit('stageStatusUpdate', participant);
        map.emit('stageStatusUpdate', participant);
      }
    }

    this.#follow(participant);
  }

  #remove(id, reason) {
    const map = this.participants.joined;
    const participant = map.get(id);
    if (!participant) return;
    this.#unsubscribe(participant);
    map._delete(id);
    map.emit('participantLeft', participant, reason);
  }

  /**
   * Subscribes to what a participant on the stage publishes and drops what it stopped; tells who changed what. The
   * audience of a LIVESTREAM meeting subscribes to nobody: it watches the livestream.
   */
  #follow(participant) {
    const flags = participant._flags;
    const map = this.participants.joined;
    const onStage = participant.stageStatus === StageStatus.ON_STAGE;
    const watch = onStage && !this._inAudience() && !this._leaving;
    if (!watch) this.#unsubscribe(participant, !onStage);
    for (const source of ['camera', 'screenshare']) {
      const publishing = source === 'camera' ? flags.audio || flags.video : flags.screenshare;
      if (publishing && watch && !participant._subscriptions[source]) this.#subscribe(participant, source);
    }

    const changes = [
      ['audioEnabled', flags.audio, 'audioUpdate', p => ({ audioEnabled: p.audioEnabled, audioTrack: p.audioTrack })],
      ['videoEnabled', flags.video, 'videoUpdate', p => ({ videoEnabled: p.videoEnabled, videoTrack: p.videoTrack })],
      ['screenShareEnabled', flags.screenshare, 'screenShareUpdate', p => ({ screenShareEnabled: p.screenShareEnabled, screenShareTracks: p.screenShareTracks })],
    ];
    for (const [property, value, event, payload] of changes) {
      if (participant[property] === value) continue;
      participant[property] = value;
      participant.emit(event, payload(participant));
      map.emit(event, participant, payload(participant));
    }
  }

  /**
   * Ends the subscriptions to a participant: it left, or this one joined a livestream's audience; `ended`: it left the
   * stage, and the server ended them already.
   */
  #unsubscribe(participant, ended = false) {
    const sessions = Object.values(participant._subscriptions).filter(Boolean);
    if (sessions.length === 0) return;
    participant._subscriptions = {};
    for (const session of sessions) {
      if (ended) session.abandon();
      else session.close(this._token);
    }

    participant.audioTrack = null;
    participant.videoTrack = null;
    participant.screenShareTracks = [];
  }

  async #subscribe(participant, source) {
    const pc = this._peerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const session = new WebRtcSession(pc);
    participant._subscriptions[source] = session;
    pc.addEventListener('track', event => {
      const track = event.track;
      if (source === 'screenshare') participant.screenShareTracks = [...participant.screenShareTracks.filter(t => t.kind !== track.kind), track];
      else participant[`${track.kind}Track`] = track;
      const update = source === 'screenshare' ? 'screenShareUpdate' : `${track.kind}Update`;
      const payload = source === 'screenshare'
        ? { screenShareEnabled: participant.screenShareEnabled, screenShareTracks: participant.screenShareTracks }
        : { [`${track.kind}Enabled`]: participant[`${track.kind}Enabled`], [`${track.kind}Track`]: track };
      participant.emit(update, payload);
      this.participants.joined.emit(update, participant, payload);
    });
    const ended = () => {
      if (participant._subscriptions[source] !== session) return;
      participant._subscriptions[source] = undefined;
      session.close(this._token);
      // The server ended it (the source went or was replaced): subscribe again if the participant still publishes.
      if (this.participants.joined.get(participant.id) === participant) setTimeout(() => this.#follow(participant), RETRY_MS);
    };
    pc.addEventListener('connectionstatechange', () => { if (pc.connectionState === 'failed' || pc.connectionState === 'closed') ended(); });
    try {
      await session.negotiate(this._url(`/realtime/v1/peers/${participant.id}/whep?source=${source}`), this._token);
      const dtls = pc.getTransceivers()[0]?.sender.transport;
      dtls?.addEventListener('statechange', () => { if (dtls.state === 'closed' || dtls.state === 'failed') ended(); });
    } catch (error) {
      const dropped = participant._subscriptions[source] !== session; // unsubscribed meanwhile: nothing to tell
      if (!dropped) participant._subscriptions[source] = undefined;
      session.close(this._token); // deletes what the server made, if it answered
      if (dropped) return;
      // Not there yet (the source connects) or refused (max_video_streams): tried again on the next change.
      if (error.code === 404 && this.participants.joined.get(participant.id) === participant) setTimeout(() => this.#follow(participant), RETRY_MS);
      else this.emit('error', error);
    }
  }
}

/** The module's entry point, as RealtimeKit's `RealtimeKitClient.init`. */
export class StagecastClient {
  /**
   * A meeting object for a participant token (from the REST API's participant endpoints).
   * @param {{ authToken: string, baseURI?: string, iceTransportPolicy?: RTCIceTransportPolicy }} options `baseURI`: the
   * Stagecast server, by default this page's origin; `iceTransportPolicy: 'relay'` sends all media through the server's
   * TURN servers (for networks that allow nothing else).
   */
  static async init({ authToken, baseURI, iceTransportPolicy } = { authToken: undefined }) {
    if (!authToken) throw new StagecastError(401, 'init() needs authToken: a participant token');
    const meeting = new Meeting(authToken, baseURI ?? window.location.origin, iceTransportPolicy);
    await meeting._loadMeta();
    return meeting;
  }
}

export default StagecastClient;
