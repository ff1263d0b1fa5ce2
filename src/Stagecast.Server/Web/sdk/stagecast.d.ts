// Types of Stagecast's browser client module (/sdk/stagecast.js), shaped like Cloudflare RealtimeKit's web core.

export declare class StagecastError extends Error {
  /** The API's status or the channel's code; 1900 (livestream failure), 1901 (no can_livestream), 1902 (stop before start). */
  code: number;
  constructor(code: number, message: string);
}

declare class Emitter<Events extends Record<string, (...args: any[]) => void>> {
  on<E extends keyof Events>(event: E, handler: Events[E]): this;
  off<E extends keyof Events>(event: E, handler: Events[E]): this;
  once<E extends keyof Events>(event: E, handler: Events[E]): this;
}

export interface Permissions {
  view_type: string;
  can_livestream: boolean;
  can_record: boolean;
  /** May publish audio at all: in a meeting with a stage (`stage_enabled`), only while on it. */
  can_produce_audio: boolean;
  can_produce_video: boolean;
  can_produce_screenshare: boolean;
  kick_participant: boolean;
  accept_waiting_requests: boolean;
  hidden_participant: boolean;
  chat_can_send: boolean;
  chat_can_receive: boolean;
  polls_can_create: boolean;
  polls_can_vote: boolean;
  polls_can_view: boolean;
  max_video_streams: number;
  waiting_room_type: 'SKIP' | 'ON_PRIVILEGED_USER_ENTRY' | 'SKIP_ON_ACCEPT';
  /** The meeting has a stage for this participant (a webinar, a livestream, an audio room): only who is on it publishes. */
  stage_enabled: boolean;
  /** ALLOWED: joins the stage at will; CAN_REQUEST: asks, and joins once a host lets it; NOT_ALLOWED: never. */
  stage_access: 'ALLOWED' | 'CAN_REQUEST' | 'NOT_ALLOWED';
  /** A host of the stage: grants, denies and sends others off it. */
  accept_stage_requests: boolean;
  /** May open plugins for everyone (`plugins.can_start`). */
  plugins_can_start: boolean;
  /** May close plugins others opened (`plugins.can_close`); an opener always may close its own. */
  plugins_can_close: boolean;
  /** May send files and pictures to everyone (`chat.public.files`). */
  chat_can_send_files: boolean;
  /** May send text to chosen peers (`chat.private.can_send` and `text`). */
  chat_private_can_send: boolean;
  /** Others may send it private messages (`chat.private.can_receive`). */
  chat_private_can_receive: boolean;
  /** Makes, fills and closes breakout rooms (`connected_meetings.can_alter_connected_meetings`). */
  connected_meetings_can_alter: boolean;
  /** May move itself into a breakout room (`connected_meetings.can_switch_connected_meetings`). */
  connected_meetings_can_switch: boolean;
  /** May move itself back to the main meeting (`connected_meetings.can_switch_to_parent_meeting`). */
  connected_meetings_can_switch_to_parent: boolean;
}

export type StageStatus = 'ON_STAGE' | 'OFF_STAGE' | 'REQUESTED_TO_JOIN_STAGE' | 'ACCEPTED_TO_JOIN_STAGE';

export interface Participant extends Emitter<{
  audioUpdate: (update: { audioEnabled: boolean; audioTrack: MediaStreamTrack | null }) => void;
  videoUpdate: (update: { videoEnabled: boolean; videoTrack: MediaStreamTrack | null }) => void;
  screenShareUpdate: (update: { screenShareEnabled: boolean; screenShareTracks: MediaStreamTrack[] }) => void;
  stageStatusUpdate: (participant: Participant) => void;
}> {
  readonly id: string;
  readonly userId: string;
  readonly customParticipantId: string | null;
  readonly name: string;
  readonly picture: string | null;
  readonly presetName: string;
  /** Where it stands with the stage: `OFF_STAGE` is the audience (it publishes nothing). */
  readonly stageStatus: StageStatus;
  readonly audioEnabled: boolean;
  readonly videoEnabled: boolean;
  readonly screenShareEnabled: boolean;
  readonly audioTrack: MediaStreamTrack | null;
  readonly videoTrack: MediaStreamTrack | null;
  readonly screenShareTracks: MediaStreamTrack[];
}

export interface ParticipantMap extends Emitter<{
  participantJoined: (participant: Participant) => void;
  participantLeft: (participant: Participant, reason: 'left' | 'disconnected' | 'kicked') => void;
  audioUpdate: (participant: Participant, update: { audioEnabled: boolean; audioTrack: MediaStreamTrack | null }) => void;
  videoUpdate: (participant: Participant, update: { videoEnabled: boolean; videoTrack: MediaStreamTrack | null }) => void;
  screenShareUpdate: (participant: Participant, update: { screenShareEnabled: boolean; screenShareTracks: MediaStreamTrack[] }) => void;
  activeSpeaker: (participant: Participant | { id: string }) => void;
  stageStatusUpdate: (participant: Participant) => void;
}> {
  get(id: string): Participant | undefined;
  size(): number;
  toArray(): Participant[];
}

export interface WaitlistedParticipant {
  id: string;
  userId: string;
  customParticipantId: string;
  name: string | null;
  presetName: string | null;
  requestedAt: Date;
}

export interface WaitlistMap extends Emitter<{
  participantJoined: (participant: WaitlistedParticipant) => void;
  participantLeft: (participant: WaitlistedParticipant) => void;
}> {
  get(id: string): WaitlistedParticipant | undefined;
  size(): number;
  toArray(): WaitlistedParticipant[];
}

export interface Self extends Emitter<{
  roomJoined: (detail: { reconnected: boolean }) => void;
  roomLeft: (detail: { state: 'left' | 'disconnected' | 'kicked' | 'rejected'; reason?: string }) => void;
  waitlisted: () => void;
  audioUpdate: (update: { audioEnabled: boolean; audioTrack: MediaStreamTrack | null }) => void;
  videoUpdate: (update: { videoEnabled: boolean; videoTrack: MediaStreamTrack | null }) => void;
  screenShareUpdate: (update: { screenShareEnabled: boolean; screenShareTracks: MediaStreamTrack[] }) => void;
  deviceUpdate: (update: { device: MediaDeviceInfo }) => void;
  /** A host changed what this participant may do, for the session: `permissions` holds them all now. */
  permissionsUpdate: (permissions: Permissions) => void;
  /** The connections' quality changed (see {@link Self.connection}); `reasons` says why it is weak. */
  connectionUpdate: (update: { connection: 'good' | 'weak'; reasons: Array<'loss' | 'freezes' | 'bandwidth' | 'downlink'> }) => void;
}> {
  readonly id: string | null;
  readonly userId: string | null;
  readonly name: string | null;
  readonly roomJoined: boolean;
  readonly roomState: 'init' | 'waitlisted' | 'joined' | 'rejected' | 'left' | 'kicked' | 'disconnected';
  readonly permissions: Permissions | null;
  readonly audioEnabled: boolean;
  readonly videoEnabled: boolean;
  readonly screenShareEnabled: boolean;
  readonly audioTrack: MediaStreamTrack | null;
  readonly videoTrack: MediaStreamTrack | null;
  readonly screenShareTracks: MediaStreamTrack[];
  /**
   * How well this browser's connections carry the meeting, sampled every 2 s while joined: `weak` when over a sample
   * more than 5 % of the packets received were lost, a received picture froze half a second or more, or the browser
   * held back the video it sends for lack of bandwidth; `good` again after two samples without.
   */
  readonly connection: 'good' | 'weak';
  setName(name: string): void;
  enableAudio(): Promise<void>;
  disableAudio(): Promise<void>;
  enableVideo(): Promise<void>;
  disableVideo(): Promise<void>;
  enableScreenShare(): Promise<void>;
  disableScreenShare(): Promise<void>;
  getAllDevices(): Promise<MediaDeviceInfo[]>;
  setDevice(device: MediaDeviceInfo): Promise<void>;
}

export interface ChatMessage {
  id: string;
  type: 'text' | 'image' | 'file';
  /** A text message's text; empty for an image or a file. */
  message: string;
  /** An image's or a file's download link (signed, for a day); empty for a text. */
  link: string;
  /** An image's or a file's name; empty for a text. */
  name: string;
  /** An image's or a file's size in bytes; 0 for a text. */
  size: number;
  userId: string;
  peerId: string;
  displayName: string;
  time: Date;
}

export interface Chat extends Emitter<{ chatUpdate: (update: { message: ChatMessage; messages: ChatMessage[] }) => void }> {
  readonly messages: ChatMessage[];
  sendTextMessage(text: string): Promise<unknown>;
  /** A PNG, JPEG, GIF or WebP picture, uploaded then sent (10 MiB at most by default). */
  sendImageMessage(file: File): Promise<unknown>;
  /** Any file chat takes (documents, archives, audio, video, pictures), uploaded then sent. */
  sendFileMessage(file: File): Promise<unknown>;
}

/** A plugin, as RealtimeKit's `RTKPlugin`: a web app shown in a frame for everyone once opened. */
export interface Plugin extends Emitter<{ enabled: () => void; closed: () => void }> {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly picture: string | null;
  /** Its web app (an https: URL, http: on a loopback host, or a page of the Stagecast server); null for a plugin Stagecast does not know. */
  readonly baseURL: string | null;
  /** Whether this participant may open it. */
  readonly canStart: boolean;
  readonly active: boolean;
  /** The peer id of whoever opened it; null while closed. */
  readonly enabledBy: string | null;
  activate(): Promise<void>;
  deactivate(): Promise<void>;
  /**
   * Shows it in `iframe`, sandboxed (`allow-scripts allow-same-origin allow-forms allow-popups`: never navigating your
   * page), loading its web app (or the frame's `src`, when on that origin), and carries the frame's store messages
   * (RealtimeKit's plugin frame protocol). Throws for a plugin whose `baseURL` is none of the above.
   */
  addPluginView(iframe: HTMLIFrameElement, viewId?: string): void;
  removePluginView(viewId?: string): void;
}

export interface PluginMap<Events extends Record<string, (...args: any[]) => void>> extends Emitter<Events> {
  get(id: string): Plugin | undefined;
  size(): number;
  toArray(): Plugin[];
}

export interface Plugins {
  /** Every plugin this participant may see: Stagecast's shared notes pad (`stagecast-notes`) and the app's registered ones. */
  readonly all: PluginMap<{ stateUpdate: (state: { id: string; active: boolean }) => void }>;
  /** The plugins open in the meeting now. */
  readonly active: PluginMap<{ pluginAdded: (plugin: Plugin) => void; pluginDeleted: (plugin: Plugin) => void }>;
  activate(id: string): Promise<void>;
  deactivate(id: string): Promise<void>;
}

/** A meeting of a group of connected meetings (the main meeting or a breakout room) and who is in it. */
export interface ConnectedMeeting {
  id: string;
  title: string;
  /** Each by its participant id in that meeting. */
  participants: { id: string; customParticipantId: string; displayName: string | null }[];
}

/**
 * Breakout rooms, as RealtimeKit's `meeting.connectedMeetings`. A participant moved is taken to its new meeting by the
 * module (`changingMeeting` with the meeting's id, then `meetingChanged`): the same `Meeting` carries on there.
 */
export interface ConnectedMeetings extends Emitter<{
  stateUpdate: (state: { parentMeeting: ConnectedMeeting | null; meetings: ConnectedMeeting[] }) => void;
  changingMeeting: (meetingId: string) => void;
  meetingChanged: (meeting: Meeting) => void;
}> {
  readonly parentMeeting: ConnectedMeeting | null;
  readonly meetings: ConnectedMeeting[];
  /** Whether the main meeting has breakout rooms open. */
  readonly isActive: boolean;
  getConnectedMeetings(): Promise<{ parentMeeting: ConnectedMeeting | null; meetings: ConnectedMeeting[] }>;
  createMeetings(rooms: { title: string }[]): Promise<{ id: string; title: string }[]>;
  deleteMeetings(meetingIds: string[]): Promise<{ id: string; title: string }[]>;
  moveParticipants(sourceMeetingId: string, destinationMeetingId: string, participantIds: string[]): Promise<void>;
  moveParticipantsWithCustomPreset(sourceMeetingId: string, destinationMeetingId: string, participants: { id: string; presetId: string }[]): Promise<void>;
}

export interface Poll {
  id: string;
  question: string;
  anonymous: boolean;
  hideVotes: boolean;
  createdBy: string;
  voted: string[];
  options: { text: string; count: number; votes: { id: string; name: string }[] }[];
}

export interface Polls extends Emitter<{ pollsUpdate: (update: { polls: Poll[]; newPoll: boolean; poll: Poll }) => void }> {
  readonly items: Poll[];
  create(question: string, options: string[], anonymous?: boolean, hideVotes?: boolean): Promise<Poll>;
  vote(pollId: string, optionIndex: number): Promise<Poll>;
}

export type LivestreamState = 'IDLE' | 'STARTING' | 'WAITING_ON_MANUAL_INGESTION' | 'LIVESTREAMING' | 'STOPPING';

export interface Livestream extends Emitter<{
  livestreamUpdate: (state: LivestreamState) => void;
  viewerCountUpdate: (count: number) => void;
  watchingUpdate: (watching: boolean) => void;
}> {
  readonly id: string | null;
  readonly state: LivestreamState;
  readonly playbackUrl: string | null;
  readonly ingestionCredentials: { ingestionServer: string; streamKey: string } | null;
  readonly viewerCount: number;
  /** Whether the attached player plays the livestream now (over HLS). */
  readonly watching: boolean;
  start(options?: { manualIngestion?: boolean }): Promise<void>;
  stop(): Promise<void>;
  /**
   * Plays the livestream in `video` while this participant is in the audience of a LIVESTREAM meeting (off its stage)
   * and the livestream is live; on the stage the others are watched over WebRTC instead, and back off it the player
   * plays again. hls.js comes from the Stagecast server.
   */
  attachPlayer(video: HTMLVideoElement): void;
  detachPlayer(): void;
}

export interface StageRequest {
  peerId: string;
  userId: string;
  displayName: string;
  requestedAt: Date | null;
}

/** `meeting.stage`: only who is on the stage publishes; the audience asks, a host lets it on, and it joins. */
export interface Stage extends Emitter<{
  stageStatusUpdate: (status: StageStatus) => void;
  /** For a host: the requests now, oldest first. */
  stageAccessRequestUpdate: (requests: StageRequest[]) => void;
  /** A host let you on (or invited you): join() when ready. */
  stageRequestApproved: () => void;
  stageRequestRejected: () => void;
}> {
  readonly status: StageStatus;
  getAccessRequests(): { stageRequests: StageRequest[] };
  requestAccess(): Promise<void>;
  cancelRequestAccess(): Promise<void>;
  join(): Promise<void>;
  leave(): Promise<void>;
  /** Participants by id or user id. */
  grantAccess(ids: string[]): Promise<void>;
  denyAccess(ids: string[]): Promise<void>;
  kick(ids: string[]): Promise<void>;
}

export type RecordingState = 'IDLE' | 'RECORDING' | 'PAUSED';

/** Whether the meeting is being recorded, to tell the participants (recordings are started through the REST API). */
export interface Recording extends Emitter<{ recordingUpdate: (state: RecordingState) => void }> {
  readonly id: string | null;
  readonly recordingState: RecordingState;
}

/** A line of the live transcript, as RealtimeKit's: who said it, the words, when (`date`) until when (`endedAt`), on the server's clock. */
export interface Transcript {
  id: string;
  peerId: string;
  userId: string;
  customParticipantId: string;
  name: string;
  transcript: string;
  /** Always false: the server's engines recognise an utterance once it ends. */
  isPartialTranscript: boolean;
  date: Date;
  endedAt: Date;
}

/** `meeting.ai`: the live transcripts of participants whose preset has `transcription_enabled` (while the server runs a speech engine). */
export interface Ai extends Emitter<{ transcript: (transcript: Transcript) => void }> {
  /** The newest 200 lines, oldest first. */
  readonly transcripts: Transcript[];
}

/** An app message as `broadcastedMessage` gives it: `timestamp` in milliseconds; `peerId` the sender's, null when the app's server sent it. */
export interface BroadcastedMessage {
  type: string;
  payload: Record<string, unknown>;
  timestamp: number;
  peerId: string | null;
}

export interface Meeting extends Emitter<{
  reconnecting: () => void;
  reconnected: () => void;
  error: (error: StagecastError) => void;
}> {
  readonly self: Self;
  readonly participants: Emitter<{ broadcastedMessage: (message: BroadcastedMessage) => void }> & {
    readonly joined: ParticipantMap;
    /** Who waits to be let in (for a participant whose preset has accept_waiting_requests); `participantJoined`/`participantLeft` as they come and go. */
    readonly waitlisted: WaitlistMap;
    readonly activeSpeaker: Participant | null;
    acceptWaitingRoomRequest(id: string): Promise<unknown>;
    rejectWaitingRoomRequest(id: string): Promise<unknown>;
    /**
     * An app message to everyone in the meeting (you included, as RealtimeKit does), or with `target` only to those
     * others, or (`meetingIds`, a host's) to everyone else in those meetings of the group of breakout rooms. `type`: 1
     * to 100 characters; `payload`: a JSON object of up to 8 KiB; 5 a second (bursts of 10). Not stored.
     */
    broadcastMessage(type: string, payload: Record<string, unknown>, target?: { participantIds: string[] } | { presetNames: string[] } | { meetingIds: string[] }): Promise<void>;
  };
  readonly stage: Stage;
  readonly chat: Chat;
  readonly polls: Polls;
  readonly livestream: Livestream;
  readonly recording: Recording;
  readonly ai: Ai;
  readonly plugins: Plugins;
  readonly connectedMeetings: ConnectedMeetings;
  readonly meta: { meetingId: string | null; meetingTitle: string | null; meetingStartedTimestamp: Date | null; sessionId: string | null };
  join(): Promise<void>;
  leave(): Promise<void>;
}

export declare class StagecastClient {
  /** `iceTransportPolicy: "relay"` sends all media through the server's TURN servers. */
  static init(options: { authToken: string; baseURI?: string; iceTransportPolicy?: RTCIceTransportPolicy }): Promise<Meeting>;
}

export default StagecastClient;
