// The watch page: hls.js (or Safari's native HLS) about a second behind live, switching between live and offline
// without a reload, with the stream's picture as the poster while live, the delay behind live and the viewer count.
// Read by the browser tests through window.stagecast.
(() => {
  'use strict';
  const root = /** @type {HTMLElement} */ (document.querySelector('[data-livestream]'));
  const id = root.dataset.livestream;
  // By path, on the host the page was opened on (its CSP allows only its own origin).
  const playbackUrl = `/${encodeURIComponent(id)}/manifest/video.m3u8`;
  const thumbnailUrl = `/${encodeURIComponent(id)}/thumbnail.jpg`;
  const video = /** @type {HTMLVideoElement & { getStartDate(): Date }} */ (document.getElementById('video'));
  const stateBadge = document.getElementById('state');
  const offline = document.getElementById('offline');
  const viewers = document.getElementById('viewers');
  const delay = document.getElementById('delay');
  const delayFigure = document.getElementById('delay-figure');
  const status = { live: false, delay: null, viewers: 0, playing: false, errors: [] };
  window.stagecast = status;

  // hls.js aims half a second behind the playlist's live edge (its default is the part hold-back, 3 parts) and may
  // speed up a little to get there (keepUp below does the rest). Capture to screen, bench/run.sh --scenario glass:
  // 1.22 s p50 at 0.7, 1.00 s at 0.5 and no lower at 0.4 without keepUp; 0.71 s p50, 0.98 s p95 with it.
  const hlsConfig = {
    lowLatencyMode: true,
    liveSyncDuration: 0.5,
    liveMaxLatencyDuration: 3,
    maxLiveSyncPlaybackRate: 1.5,
    backBufferLength: 10,
    maxBufferLength: 4,
  };
  let hls = null;
  let nativeHls = false;

  function setState(state, text) {
    stateBadge.dataset.state = state;
    stateBadge.textContent = text;
  }

  function start() {
    stop();
    if (window.Hls && Hls.isSupported()) {
      hls = new Hls(hlsConfig);
      hls.on(Hls.Events.ERROR, (_, data) => {
        status.errors.push(data.details);
        if (data.fatal) {
          stop(); // the next state poll starts again if the stream is still live
        }
      });
      hls.loadSource(playbackUrl);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      nativeHls = true;
      video.src = playbackUrl;
    } else {
      setState('error', 'This browser cannot play HLS');
      return;
    }
    video.play().catch(() => { /* autoplay refused: the controls are there */ });
  }

  function stop() {
    if (hls) {
      hls.destroy();
      hls = null;
    }
    if (nativeHls) {
      video.removeAttribute('src');
      video.load();
      nativeHls = false;
    }
    status.playing = false;
  }

  // The wall-clock time of the picture on screen, from the playlist's EXT-X-PROGRAM-DATE-TIME.
  function playingDate() {
    if (hls) {
      return hls.playingDate;
    }
    if (nativeHls && typeof video.getStartDate === 'function') {
      const start = video.getStartDate().getTime();
      return Number.isNaN(start) ? null : new Date(start + video.currentTime * 1000);
    }
    return null;
  }

  function showDelay() {
    const date = playingDate();
    status.playing = status.live && !video.paused && video.readyState >= 2;
    if (!status.playing || !date) {
      delayFigure.hidden = true;
      status.delay = null;
      return;
    }
    status.delay = Math.max(0, (Date.now() - date.getTime()) / 1000);
    delay.textContent = status.delay.toFixed(1);
    delay.dataset.seconds = status.delay.toFixed(3);
    delayFigure.hidden = false;
  }

  async function poll() {
    try {
      const response = await fetch(`/watch/${encodeURIComponent(id)}/state`, { cache: 'no-store' });
      if (response.status === 404) {
        setState('error', 'No such livestream');
        stop();
        return;
      }
      const state = await response.json();
      status.viewers = state.live_viewers;
      viewers.textContent = String(state.live_viewers);
      viewers.dataset.count = String(state.live_viewers);
      if (state.live && !status.live) {
        video.poster = thumbnailUrl; // the stream's picture until playback starts
      } else if (!state.live && status.live) {
        video.removeAttribute('poster');
      }
      if (state.live && (!status.live || (!hls && !nativeHls))) {
        start();
      } else if (!state.live && status.live) {
        stop();
      }
      status.live = state.live;
      offline.hidden = state.live;
      setState(state.live ? 'live' : 'offline', state.live ? 'Live' : 'Offline');
    } catch (error) {
      setState('error', 'Cannot reach the server');
    }
  }

  // hls.js speeds up towards its target only with more than a second buffered, so a player that started late stays
  // late; a player more than a quarter of a second behind its target jumps there when that point is already buffered.
  function keepUp() {
    const target = hls && status.playing ? hls.liveSyncPosition : null;
    if (target === null || target - video.currentTime < 0.25) {
      return;
    }
    for (let i = 0; i < video.buffered.length; i++) {
      if (video.buffered.start(i) <= video.currentTime && target < video.buffered.end(i) - 0.1) {
        video.currentTime = target;
        return;
      }
    }
  }

  poll();
  setInterval(poll, 2000);
  setInterval(showDelay, 250);
  setInterval(keepUp, 1000);
})();
