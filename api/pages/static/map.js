/* Map page. Shapes: ISTAT administrative boundaries as openpolis TopoJSON (CC BY 4.0), served
   by /api/geo/italy with NUTS codes added; the regions are the provinces dissolved by NUTS 2
   code with topojson-client's merge (so ITH1 Bolzano and ITH2 Trento are two regions); the
   world is world-atlas (Natural Earth, public domain). Projections and paths: d3-geo.
   Values: /api/map/{indicator}?level=region|province|country. */
const {href, el, fmt, getJSON, lang} = window.itskg;
const d3 = window.d3;
const topojson = window.topojson;
const SVG = "http://www.w3.org/2000/svg";
const RAMP = ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
const NUTS_IRI = "http://data.europa.eu/nuts/code/";
const COUNTRY_IRI = "http://publications.europa.eu/resource/authority/country/";
const fig = document.getElementById("map");
const status = document.getElementById("map-status");
const levelSelect = document.getElementById("level");
const select = document.getElementById("indicator");
const LEVELS = JSON.parse(document.getElementById("map-levels").textContent);
const state = {paths: 0, values: {}, level: levelSelect.value, shapes: {}};
window.itskgMap = state;
let italy = null;
let world = null;

async function italyShapes(level) {
  italy = italy || await getJSON("/api/geo/italy");
  const obj = italy.objects.provinces || Object.values(italy.objects)[0];
  if (level === "province") {
    return topojson.feature(italy, obj).features
      .filter((f) => f.properties.nuts3)
      .map((f) => ({key: f.properties.nuts3, feature: f, name: f.properties.prov_name}));
  }
  const groups = {};
  for (const g of obj.geometries) {
    const k = g.properties.nuts2;
    if (k) (groups[k] = groups[k] || []).push(g);
  }
  return Object.keys(groups).sort().map((k) => ({
    key: k, name: k,
    feature: {type: "Feature", properties: {nuts2: k}, geometry: topojson.merge(italy, groups[k])},
  }));
}

async function worldShapes() {
  world = world || await getJSON("/vendor/world-atlas/countries-110m.json");
  return topojson.feature(world, world.objects.countries).features
    .map((f) => ({key: String(f.id), feature: f, name: f.properties.name}));
}

async function buildMap(level) {
  const shapes = level === "country" ? await worldShapes() : await italyShapes(level);
  const W = level === "country" ? 960 : 600;
  const H = level === "country" ? 500 : 700;
  const collection = {type: "FeatureCollection", features: shapes.map((s) => s.feature)};
  const projection = level === "country"
    ? d3.geoNaturalEarth1().fitSize([W, H], {type: "Sphere"})
    : d3.geoConicConformal().parallels([38, 44]).rotate([-12.5, 0]).fitSize([W, H], collection);
  const path = d3.geoPath(projection);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-labelledby", "map-svg-title");
  const title = document.createElementNS(SVG, "title");
  title.id = "map-svg-title";
  title.textContent = fig.dataset.alt;
  svg.appendChild(title);
  for (const s of shapes) {
    const a = document.createElementNS(SVG, "a");
    if (level !== "country") a.setAttribute("href", href(NUTS_IRI + s.key));
    const p = document.createElementNS(SVG, "path");
    p.setAttribute("d", path(s.feature) || "");
    p.setAttribute("data-key", s.key);
    p.setAttribute("class", "region");
    const t = document.createElementNS(SVG, "title");
    t.textContent = s.name;
    p.appendChild(t);
    a.appendChild(p);
    svg.appendChild(a);
  }
  fig.querySelector("svg")?.remove();
  fig.insertBefore(svg, fig.firstChild);
  state.paths = svg.querySelectorAll("path").length;
  state.level = level;
  return svg;
}

function colour(v, max) {
  if (v === null || v === undefined) return null;
  if (max <= 0) return RAMP[0];
  return RAMP[Math.min(RAMP.length - 1, Math.floor((v / max) * (RAMP.length - 1) + 0.5))];
}

async function show(svg, level, name) {
  status.textContent = "";
  status.className = "";
  let data;
  try {
    data = await getJSON(`/api/map/${encodeURIComponent(name)}?level=${level}&lang=${lang}`);
  } catch (err) {
    status.textContent = err.message;
    status.className = "error";
    return;
  }
  // world shapes are keyed by ISO numeric ids, the API by ISO alpha-3
  const keyOf = (r) => (level === "country" ? r.iso_numeric : r.key);
  const values = Object.fromEntries(data.regions.filter(keyOf).map((r) => [keyOf(r), r]));
  state.values = values;
  const max = Math.max(0, ...data.regions.map((r) => r.value || 0));
  const unit = data.kind === "share" || data.kind === "ratio" ? " %" : "";
  for (const p of svg.querySelectorAll("path")) {
    const r = values[p.dataset.key];
    const c = colour(r ? r.value : null, max);
    p.style.fill = c || "#dddddd";
    p.classList.toggle("nodata", !c);
    const name0 = p.querySelector("title").textContent.split(":")[0];
    const text = (r ? r.label : name0) + ": " +
      (r && r.value !== null ? fmt(r.value, lang) + unit : status.dataset.nodata);
    p.querySelector("title").textContent = text;
    p.parentNode.setAttribute("aria-label", text);
    if (level === "country" && r) p.parentNode.setAttribute("href", href(COUNTRY_IRI + r.key));
  }
  document.getElementById("map-caption").textContent = data.title;
  const body = document.querySelector("#map-table tbody");
  body.replaceChildren();
  const rows = level === "country" ? data.regions.filter((r) => r.value) : data.regions;
  for (const r of [...rows].sort((a, b) => (b.value ?? -1) - (a.value ?? -1))) {
    const tr = el("tr");
    const th = el("th", {scope: "row"});
    const iri = level === "country" ? COUNTRY_IRI + r.key : NUTS_IRI + r.key;
    th.appendChild(el("a", {href: href(iri)}, r.label));
    tr.appendChild(th);
    tr.appendChild(el("td", {class: "n"}, r.value === null ? "–" : fmt(r.value, lang) + unit));
    body.appendChild(tr);
  }
  const legend = document.getElementById("legend");
  legend.replaceChildren(...RAMP.map((c, i) => {
    const s = el("span", {class: "swatch"}, fmt((max * i) / (RAMP.length - 1), lang));
    s.style.background = c;
    s.style.color = i > 3 ? "#fff" : "#000";
    return s;
  }));
}

function remember() {
  const u = new URL(location.href);
  u.searchParams.set("level", levelSelect.value);
  u.searchParams.set("indicator", select.value);
  history.replaceState(null, "", u);
}

let svg;
try {
  svg = await buildMap(levelSelect.value);
  await show(svg, levelSelect.value, select.value);
} catch (err) {
  status.textContent = err.message;
  status.className = "error";
}
select.addEventListener("change", () => { remember(); show(svg, levelSelect.value, select.value); });
levelSelect.addEventListener("change", async () => {
  const level = levelSelect.value;
  const keep = select.value;
  select.replaceChildren(...LEVELS[level].map(([code, label]) => el("option", {value: code}, label)));
  if (LEVELS[level].some(([code]) => code === keep)) select.value = keep;
  remember();
  svg = await buildMap(level);
  await show(svg, level, select.value);
});
