/* Map page: the 20 Italian regions (SVG shapes of @svg-maps/italy, CC BY 4.0) coloured by an
   indicator from /api/map/{indicator}. The shapes are ISTAT regions: Trentino-Alto Adige is
   one shape for the two NUTS 2 units ITH1 and ITH2 (the API answers for "ITH1+ITH2"). */
import italy from "/vendor/@svg-maps/italy/index.js";

const {href, el, fmt, getJSON, lang} = window.itskg;
const SVG = "http://www.w3.org/2000/svg";
const NUTS = {
  "piedmont": "ITC1", "aosta-valley": "ITC2", "liguria": "ITC3", "lombardy": "ITC4",
  "abruzzo": "ITF1", "molise": "ITF2", "campania": "ITF3", "apulia": "ITF4",
  "basilicata": "ITF5", "calabria": "ITF6", "sicily": "ITG1", "sardinia": "ITG2",
  "trentino-south-tyrol": "ITH1+ITH2", "veneto": "ITH3", "friuli-venezia-giulia": "ITH4",
  "emilia-romagna": "ITH5", "tuscany": "ITI1", "umbria": "ITI2", "marche": "ITI3",
  "lazio": "ITI4",
};
const RAMP = ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
const NUTS_IRI = "http://data.europa.eu/nuts/code/";
const fig = document.getElementById("map");
const status = document.getElementById("map-status");
const select = document.getElementById("indicator");
const state = {paths: 0, values: {}};
window.itskgMap = state;

function buildMap() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", italy.viewBox);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-labelledby", "map-svg-title");
  const title = document.createElementNS(SVG, "title");
  title.id = "map-svg-title";
  title.textContent = fig.dataset.alt;
  svg.appendChild(title);
  for (const loc of italy.locations) {
    const key = NUTS[loc.id];
    const a = document.createElementNS(SVG, "a");
    a.setAttribute("href", href(NUTS_IRI + key.split("+")[0]));
    const p = document.createElementNS(SVG, "path");
    p.setAttribute("d", loc.path);
    p.setAttribute("data-key", key);
    p.setAttribute("class", "region");
    const t = document.createElementNS(SVG, "title");
    p.appendChild(t);
    a.appendChild(p);
    svg.appendChild(a);
  }
  fig.insertBefore(svg, fig.firstChild);
  state.paths = svg.querySelectorAll("path").length;
  return svg;
}

function colour(v, max) {
  if (v === null || v === undefined) return null;
  if (max <= 0) return RAMP[0];
  return RAMP[Math.min(RAMP.length - 1, Math.floor((v / max) * (RAMP.length - 1) + 0.5))];
}

async function show(svg, name) {
  status.textContent = "";
  let data;
  try {
    data = await getJSON("/api/map/" + encodeURIComponent(name) + "?lang=" + lang);
  } catch (err) {
    status.textContent = err.message;
    status.className = "error";
    return;
  }
  const values = Object.fromEntries(data.regions.map((r) => [r.key, r]));
  state.values = values;
  const max = Math.max(0, ...data.regions.map((r) => r.value || 0));
  const unit = data.kind === "share" || data.kind === "ratio" ? " %" : "";
  for (const p of svg.querySelectorAll("path")) {
    const r = values[p.dataset.key];
    const c = colour(r ? r.value : null, max);
    p.style.fill = c || "#dddddd";
    p.classList.toggle("nodata", !c);
    const text = (r ? r.label : p.dataset.key) + ": " +
      (r && r.value !== null ? fmt(r.value, lang) + unit : status.dataset.nodata);
    p.querySelector("title").textContent = text;
    p.parentNode.setAttribute("aria-label", text);
  }
  document.getElementById("map-caption").textContent = data.title;
  const body = document.querySelector("#map-table tbody");
  body.replaceChildren();
  for (const r of [...data.regions].sort((a, b) => (b.value ?? -1) - (a.value ?? -1))) {
    const tr = el("tr");
    const th = el("th", {scope: "row"});
    th.appendChild(el("a", {href: href(NUTS_IRI + r.nuts[0])}, r.label));
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

const svg = buildMap();
show(svg, select.value);
select.addEventListener("change", () => {
  const u = new URL(location.href);
  u.searchParams.set("indicator", select.value);
  history.replaceState(null, "", u);
  show(svg, select.value);
});
