/* Network explorer: /api/network/{projection} drawn with Cytoscape, coloured by community,
   sized by a metric, searchable; large answers are cut to the top nodes (and said so). */
"use strict";
(function () {
  const {href, el, fmt, getJSON, lang} = window.itskg;
  const MAX_NODES = 600;  // drawn; larger answers are cut to the top nodes by the metric
  // asked (the server's EXPLORER_MAX_NODES, on the form); larger graphs come back thinned
  const MAX_FETCH = Number(document.getElementById("netform").dataset.maxFetch) || 4000;
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173"];
  const form = document.getElementById("netform");
  const status = document.getElementById("net-status");
  const info = document.getElementById("node-metrics");
  const hint = document.getElementById("node-hint");
  const search = document.getElementById("search");
  const names = document.getElementById("node-names");
  const thin = {box: document.getElementById("thin-box"), input: document.getElementById("min-weight"),
    out: document.getElementById("min-weight-out")};
  const state = {cy: null, nodes: 0, edges: 0, allEdges: 0, data: null, projections: {},
    removed: null, ties: new Map(), labels: new Map()};
  window.itskgNetwork = state;
  const params = JSON.parse(form.dataset.params || "{}");

  function say(text, cls) { status.textContent = text; status.className = cls || ""; }
  function filters() {
    const q = new URLSearchParams();
    for (const n of ["region", "area", "sector", "year"]) {
      const v = form.elements[n].value;
      if (v) q.set(n, v);
    }
    if (form.elements.real.checked) q.set("real_only", "true");
    return q;
  }
  function title(p) {
    if (!p) return "";
    const t = p.title;
    return typeof t === "object" && t ? (t[lang] || t.en || t.it) : (t || p.name);
  }

  async function loadProjections() {
    let list;
    try {
      list = await getJSON("/api/network/projections");
    } catch (err) {
      say(status.dataset.unavailable + " (" + err.message + ")", "error");
      return false;
    }
    const items = Array.isArray(list) ? list : (list.projections || Object.values(list));
    const sel = form.elements.projection;
    for (const p of items) {
      const name = typeof p === "string" ? p : p.name;
      state.projections[name] = p;
      sel.appendChild(el("option", {value: name}, typeof p === "string" ? p : title(p)));
    }
    sel.addEventListener("change", enableFilters);
    for (const [k, v] of Object.entries(params)) {
      const f = form.elements[k];
      if (!f) continue;
      if (f.type === "checkbox") f.checked = v === "1" || v === "true"; else f.value = v;
    }
    if (!params.projection && state.projections["academy-academy"]) sel.value = "academy-academy";
    // Every academy shares some member with almost every other: degree says little there,
    // the number of shared members (weighted degree) does.
    if (!params.metric && sel.value === "academy-academy") form.elements.metric.value = "weighted-degree";
    enableFilters();
    return true;
  }

  /** Only the filters the chosen projection declares can be set. */
  function enableFilters() {
    const p = state.projections[form.elements.projection.value];
    const supported = p && Array.isArray(p.filters) ? p.filters : null;
    for (const [name, field] of [["region", "region"], ["area", "area"], ["sector", "sector"],
      ["year", "year"], ["real", "real"]]) {
      const off = supported !== null && !supported.includes(name);
      form.elements[field].disabled = off;
      if (off) { if (form.elements[field].type === "checkbox") form.elements[field].checked = false; else form.elements[field].value = ""; }
    }
  }

  function sizeOf(values) {
    const nums = values.filter((v) => typeof v === "number");
    const max = Math.max(...nums, 0), min = Math.min(...nums, 0);
    return (v) => (typeof v === "number" && max > min) ? 10 + 34 * (v - min) / (max - min) : 12;
  }

  /** The weight threshold that keeps about `target` of the heaviest edges. */
  function defaultThreshold(weights, target) {
    if (weights.length <= target) return weights.length ? Math.min(...weights) : 1;
    const sorted = [...weights].sort((a, b) => b - a);
    return sorted[target - 1];
  }

  function colourKey(n) {
    const by = form.elements.colour.value;
    if (by === "region") return n.region_label || n.region || "—";
    if (by === "area") return n.area || "—";
    return n.community === undefined || n.community === null ? "—" : "C" + (n.community + 1);
  }

  function legend(nodes) {
    const counts = new Map();
    for (const n of nodes) counts.set(colourKey(n), (counts.get(colourKey(n)) || 0) + 1);
    const keys = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a));
    const colours = new Map(keys.map((k, i) => [k, i < PALETTE.length ? PALETTE[i] : "#bbbbbb"]));
    const box = document.getElementById("net-legend");
    box.replaceChildren(...keys.slice(0, PALETTE.length).map((k) => {
      const li = el("li", {});
      li.appendChild(el("span", {class: "swatch-dot", style: "background:" + colours.get(k)}));
      const label = k.startsWith("C") && /^C\d+$/.test(k) ? hint.dataset.community + " " + k.slice(1) : k;
      li.appendChild(document.createTextNode(label + " (" + fmt(counts.get(k), lang) + ")"));
      return li;
    }));
    if (keys.length > PALETTE.length) box.appendChild(el("li", {class: "muted"}, "… +" + (keys.length - PALETTE.length)));
    return colours;
  }

  function applyThreshold(relayout) {
    const cy = state.cy;
    if (!cy) return;
    const t = Number(thin.input.value);
    cy.batch(() => {
      state.removed.restore();
      state.removed = cy.edges().filter((e) => e.data("w") < t).remove();
    });
    state.edges = cy.edges().length;
    thin.out.textContent = fmt(t, lang) + " · " + fmt(state.edges, lang) + " " +
      thin.out.dataset.shown + " " + fmt(state.allEdges, lang);
    if (relayout) layout();
  }

  function layout() {
    const cy = state.cy;
    const n = cy.nodes().length;
    const fcose = !!cytoscape("layout", "fcose");  // registered by /vendor/itskg/layout.min.js
    state.layout = fcose ? "fcose" : "cose";
    const opts = fcose ? {name: "fcose", quality: n > 400 ? "draft" : "default", animate: false,
      randomize: true, nodeRepulsion: () => 9000, idealEdgeLength: (e) => 40 + 120 / Math.sqrt(e.data("w") || 1),
      edgeElasticity: () => 0.3, gravity: 0.4, numIter: n > 400 ? 1200 : 2500, fit: true, padding: 25,
      nodeSeparation: 60, packComponents: true}
      : {name: "cose", animate: false, fit: true, padding: 20};
    cy.layout(opts).run();
    if (cy.zoom() > 1.5) { cy.zoom(1.5); cy.center(); }
  }

  function draw(data, metric) {
    let nodes = data.nodes || [];
    let edges = data.edges || [];
    const summarised = nodes.length > MAX_NODES || Boolean(data.thinned) ||
      (data.summary && data.summary.truncated);
    if (nodes.length > MAX_NODES) {
      const key = (n) => (typeof n[metric] === "number" ? n[metric] : (n.degree || 0));
      nodes = [...nodes].sort((a, b) => key(b) - key(a)).slice(0, MAX_NODES);
      const keep = new Set(nodes.map((n) => n.id));
      edges = edges.filter((e) => keep.has(e.source) && keep.has(e.target));
    }
    const size = sizeOf(nodes.map((n) => n[metric]));
    const colours = legend(nodes);
    const weights = edges.map((e) => e.weight || 1);
    const wmin = weights.length ? Math.min(...weights) : 1;
    const wmax = weights.length ? Math.max(...weights) : 1;
    const elements = [];
    for (const n of nodes) {
      const label = String(n.label || n.id);
      elements.push({data: {id: n.id, label: label.length > 40 ? label.slice(0, 38) + "…" : label,
        raw: n, size: size(n[metric]), color: colours.get(colourKey(n)) || "#bbbbbb"}});
    }
    edges.forEach((e, i) => elements.push({data: {id: "e" + i, source: e.source,
      target: e.target, w: e.weight || 1}}));
    state.ties = new Map();
    for (const e of edges) {
      for (const [a, b] of [[e.source, e.target], [e.target, e.source]]) {
        if (!state.ties.has(a)) state.ties.set(a, []);
        state.ties.get(a).push([b, e.weight || 1]);
      }
    }
    state.labels = new Map(nodes.map((n) => [n.id, n.label || n.id]));
    if (state.cy) state.cy.destroy();
    state.cy = cytoscape({
      container: document.getElementById("cy"), elements,
      style: [
        {selector: "node", style: {"background-color": "data(color)", width: "data(size)",
          height: "data(size)", label: "", "border-width": 1, "border-color": "#ffffff"}},
        {selector: "node.big, node:selected, node.found", style: {label: "data(label)",
          "font-size": 11, "min-zoomed-font-size": 6, "text-outline-color": "#fff",
          "text-outline-width": 2, "text-wrap": "ellipsis", "text-max-width": 180}},
        {selector: "node:selected, node.found", style: {"border-width": 3,
          "border-color": "#000"}},
        {selector: "edge", style: {"curve-style": "haystack", "line-color": "#6b7785",
          width: wmax > wmin ? `mapData(w, ${wmin}, ${wmax}, 0.6, 7)` : 1.2,
          opacity: wmax > wmin ? `mapData(w, ${wmin}, ${wmax}, 0.25, 0.8)` : 0.5}},
        {selector: "edge.tie", style: {"line-color": "#d62728", opacity: 0.9}},
      ],
      layout: {name: "preset"}, minZoom: 0.05, maxZoom: 6,
    });
    state.removed = state.cy.collection();
    state.allEdges = edges.length;
    // Thin dense projections by weight (academy-academy: 9,180 ties among 136 academies).
    const target = Math.max(200, 4 * nodes.length);
    thin.input.min = String(wmin);
    thin.input.max = String(wmax);
    thin.input.value = String(defaultThreshold(weights, target));
    thin.box.hidden = wmax <= wmin;
    applyThreshold(false);
    layout();
    const ranked = [...nodes].sort((a, b) => (b[metric] || 0) - (a[metric] || 0));
    const big = new Set(ranked.slice(0, 12).map((n) => n.id));
    state.cy.nodes().forEach((n) => { if (big.has(n.id())) n.addClass("big"); });
    state.cy.on("tap", "node", (ev) => show(ev.target.data("raw")));
    state.nodes = nodes.length;
    names.replaceChildren(...nodes.slice(0, 2000).map((n) => el("option", {value: n.label || n.id})));
    const comms = (data.communities || []).length;
    // the server thins graphs above its caps and states the whole graph's size
    const total = data.total_nodes || (data.nodes || []).length;
    const allEdges = data.total_edges || edges.length;
    say(fmt(state.nodes, lang) + " / " + fmt(total, lang) + " " + status.dataset.nodes + ", " +
      fmt(edges.length, lang) + (allEdges > edges.length ? " / " + fmt(allEdges, lang) : "") +
      " " + status.dataset.edges + ", " + comms + " " +
      status.dataset.communities + (summarised ? ". " + status.dataset.summarised : ""),
      summarised ? "note" : "");
  }

  function show(n) {
    info.replaceChildren();
    hint.replaceChildren(el("strong", {}, n.label || n.id), document.createTextNode(" "),
      el("a", {href: href(n.id)}, hint.dataset.open));
    for (const [k, v] of Object.entries(n)) {
      if (k === "id" || k === "label" || v === null || typeof v === "object") continue;
      info.appendChild(el("dt", {}, k === "community" ? hint.dataset.community : k));
      info.appendChild(el("dd", {}, k === "community" ? v + 1 : (typeof v === "number" ? fmt(v, lang) : v)));
    }
    const ties = (state.ties.get(n.id) || []).sort((a, b) => b[1] - a[1]).slice(0, 8);
    const list = document.getElementById("node-ties");
    document.getElementById("ties-h").hidden = !ties.length;
    list.replaceChildren(...ties.map(([other, w]) => {
      const li = el("li", {});
      li.appendChild(el("a", {href: href(other)}, state.labels.get(other) || other));
      li.appendChild(document.createTextNode(" (" + fmt(w, lang) + ")"));
      return li;
    }));
    if (state.cy) {
      state.cy.edges().removeClass("tie");
      state.cy.getElementById(n.id).connectedEdges().addClass("tie");
    }
  }

  async function run(ev) {
    if (ev) ev.preventDefault();
    const proj = form.elements.projection.value;
    if (!proj) return;
    const metric = form.elements.metric.value;
    const q = filters();
    const base = "/api/network/" + encodeURIComponent(proj);
    for (const f of ["gexf", "graphml", "csv"]) {
      const e = new URLSearchParams(q);
      e.set("format", f);
      document.getElementById("exp-" + f).href = base + "/export?" + e.toString();
    }
    const g = new URLSearchParams(q);
    g.set("max_nodes", String(MAX_FETCH));
    say(status.dataset.loading);
    try {
      const data = await getJSON(base + "?" + g.toString());
      const missing = !(data.nodes || []).some((n) => typeof n[metric] === "number");
      if (missing && (data.nodes || []).length) {
        const m = new URLSearchParams(q);
        m.set("top", String(data.nodes.length));
        try {
          const res = await getJSON(base + "/" + encodeURIComponent(metric) + "?" + m);
          const rows = Array.isArray(res) ? res : (res.rows || []);
          const by = Object.fromEntries(rows.map((r) => [r.node, r.value]));
          for (const n of data.nodes) if (n.id in by) n[metric] = by[n.id];
        } catch (err) { /* size stays uniform */ }
      }
      state.data = data;
      draw(data, metric);
    } catch (err) {
      if (err.status === 422) say(status.dataset.summarised + " " + err.message, "note");
      else say(err.status === 404 && !/projection/i.test(err.message)
        ? status.dataset.unavailable : err.message, "error");
    }
  }

  search.addEventListener("change", () => {
    if (!state.cy) return;
    state.cy.nodes().removeClass("found");
    const v = search.value.toLowerCase();
    const hit = state.cy.nodes().filter((n) => String(n.data("label")).toLowerCase() === v);
    if (hit.length) {
      hit.addClass("found");
      state.cy.animate({center: {eles: hit}, zoom: 2}, {duration: 200});
      show(hit[0].data("raw"));
    }
  });
  form.addEventListener("submit", run);
  thin.input.addEventListener("input", () => applyThreshold(false));
  thin.input.addEventListener("change", () => applyThreshold(true));
  form.elements.colour.addEventListener("change", () => { if (state.data) draw(state.data, form.elements.metric.value); });
  loadProjections().then((ok) => { if (ok) run(); });
})();
