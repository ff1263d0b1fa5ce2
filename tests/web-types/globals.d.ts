// What the pages find on window: hls.js (served beside them), and what they leave there for the browser tests.
declare var Hls: any;

interface Window {
  Hls: any;
  stagecast: any;
  stagecastMeeting: any;
}

interface Error {
  /** The HTTP status the dashboard's API errors carry. */
  status?: number;
}
