// Hoplon replay viewer: a run's CZML on an offline Cesium globe, with an event list.
"use strict";

const status = {
  ready: false, error: null, entities: 0, visible: 0, events: 0,
  time: null, start: null, secondsFromStart: 0, ticks: 0, frames: 0, tilesLoaded: false,
};
const statusEl = document.getElementById("hoplon-status");

function publish() {
  window.hoplonStatus = status;
  statusEl.textContent = JSON.stringify(status);
}

function mmss(seconds) {
  const sign = seconds < 0 ? "-" : "";
  const s = Math.abs(seconds);
  const m = Math.floor(s / 60);
  return `${sign}${String(m).padStart(2, "0")}:${(s - 60 * m).toFixed(1).padStart(4, "0")}`;
}

async function main() {
  const params = new URLSearchParams(window.location.search);
  const viewer = new Cesium.Viewer("cesiumContainer", {
    baseLayer: Cesium.ImageryLayer.fromProviderAsync(
      Cesium.TileMapServiceImageryProvider.fromUrl(
        Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"))),
    terrainProvider: new Cesium.EllipsoidTerrainProvider(),
    baseLayerPicker: false, geocoder: false, navigationHelpButton: false,
    sceneModePicker: true, homeButton: true, fullscreenButton: false,
    timeline: true, animation: true, infoBox: true, selectionIndicator: true,
  });
  viewer.scene.globe.enableLighting = false;
  viewer.scene.postRender.addEventListener(() => { status.frames += 1; });

  const [info, events] = await Promise.all([
    fetch("/api/run").then((r) => r.json()),
    fetch("/api/events").then((r) => r.json()),
  ]);
  document.getElementById("run-name").textContent = info.name;
  const s = info.summary || {};
  document.getElementById("run-summary").innerHTML = [
    `${info.entities} entities, ${info.events} events`,
    s.threats !== undefined ? `threats ${s.threats}, intercepted ${s.intercepted}, leaked ${s.leakers}` : "",
    s.interceptors_fired !== undefined ? `interceptors fired ${s.interceptors_fired}` : "",
  ].filter(Boolean).join("<br>");

  const source = await Cesium.CzmlDataSource.load("/run.czml");
  await viewer.dataSources.add(source);
  const clock = viewer.clock;
  const start = Cesium.JulianDate.fromIso8601(info.start);
  clock.startTime = start.clone();
  clock.stopTime = Cesium.JulianDate.fromIso8601(info.stop);
  clock.clockRange = Cesium.ClockRange.LOOP_STOP;
  clock.multiplier = Number(params.get("multiplier") || 10);
  clock.currentTime = params.has("t")
    ? Cesium.JulianDate.addSeconds(start, Number(params.get("t")), new Cesium.JulianDate())
    : start.clone();
  clock.shouldAnimate = params.get("play") !== "0";
  viewer.timeline.zoomTo(clock.startTime, clock.stopTime);
  const [w, so, e, n] = info.view_deg;
  const home = Cesium.Rectangle.fromDegrees(w, so, e, n);
  Cesium.Camera.DEFAULT_VIEW_RECTANGLE = home;
  Cesium.Camera.DEFAULT_VIEW_FACTOR = 0.2;
  // An oblique view from the south of the run's box, so altitudes show.
  const span = Math.max(e - w, n - so);
  viewer.camera.setView({
    destination: Cesium.Cartesian3.fromDegrees((w + e) / 2, so - 0.9 * span, 0.9 * span * 111e3),
    orientation: { heading: 0.0, pitch: Cesium.Math.toRadians(-38.0), roll: 0.0 },
  });

  const list = document.getElementById("events");
  const items = events.map((ev) => {
    const li = document.createElement("li");
    li.className = `${ev.kind} ${ev.result}`;
    li.dataset.time = ev.time;
    li.innerHTML = `<span class="t">${mmss(ev.time_s)}</span>`;
    li.appendChild(document.createTextNode(ev.name));
    li.title = `${ev.kind} at ${ev.time}`;
    li.addEventListener("click", () => {
      clock.currentTime = Cesium.JulianDate.fromIso8601(ev.time);
      const entity = source.entities.getById(ev.czml_id);
      if (entity) viewer.selectedEntity = entity;
    });
    list.appendChild(li);
    return { li, when: Cesium.JulianDate.fromIso8601(ev.time) };
  });

  status.entities = source.entities.values.length;
  status.events = events.length;
  status.start = info.start;
  let lastUpdate = 0;
  let lastCurrent = null;
  clock.onTick.addEventListener((c) => {
    status.ticks += 1;
    const now = Date.now();
    if (now - lastUpdate < 200) return;
    lastUpdate = now;
    const t = c.currentTime;
    status.time = Cesium.JulianDate.toIso8601(t, 3);
    status.secondsFromStart = Cesium.JulianDate.secondsDifference(t, start);
    status.visible = source.entities.values.filter((x) => x.isAvailable(t)).length;
    status.tilesLoaded = viewer.scene.globe.tilesLoaded;
    let current = null;
    for (const item of items) {
      const past = Cesium.JulianDate.lessThanOrEquals(item.when, t);
      item.li.classList.toggle("past", past);
      item.li.classList.remove("current");
      if (past) current = item;
    }
    if (current) {
      current.li.classList.add("current");
      if (current !== lastCurrent) current.li.scrollIntoView({ block: "nearest" });
    }
    lastCurrent = current;
    status.ready = true;
    publish();
  });
  window.hoplonViewer = viewer;
  publish();
}

main().catch((err) => {
  status.error = String(err && err.stack ? err.stack : err);
  publish();
  console.error(err);
});
publish();
