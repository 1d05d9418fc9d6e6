/* Network explorer: /api/network/{projection} drawn with Cytoscape, coloured by community,
   sized by a metric, searchable; large answers are cut to the top nodes (and said so). */
"use strict";
(function () {
  const {href, el, fmt, getJSON, lang} = window.itskg;
  const MAX_NODES = 600;  // drawn; larger answers are cut to the top nodes by the metric
  const MAX_FETCH = 4000;  // asked; the API refuses larger graphs with advice (422)
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173"];
  const form = document.getElementById("netform");
  const status = document.getElementById("net-status");
  const info = document.getElementById("node-metrics");
  const hint = document.getElementById("node-hint");
  const search = document.getElementById("search");
  const names = document.getElementById("node-names");
  const state = {cy: null, nodes: 0, edges: 0, data: null, projections: {}};
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
    return (v) => (typeof v === "number" && max > min) ? 8 + 34 * (v - min) / (max - min) : 10;
  }

  function draw(data, metric) {
    let nodes = data.nodes || [];
    let edges = data.edges || [];
    const summarised = nodes.length > MAX_NODES || (data.summary && data.summary.truncated);
    if (nodes.length > MAX_NODES) {
      const key = (n) => (typeof n[metric] === "number" ? n[metric] : (n.degree || 0));
      nodes = [...nodes].sort((a, b) => key(b) - key(a)).slice(0, MAX_NODES);
      const keep = new Set(nodes.map((n) => n.id));
      edges = edges.filter((e) => keep.has(e.source) && keep.has(e.target));
    }
    nodes = [...nodes].sort((a, b) => (a.community ?? 0) - (b.community ?? 0));
    const size = sizeOf(nodes.map((n) => n[metric]));
    const elements = [];
    for (const n of nodes) {
      const label = String(n.label || n.id);
      elements.push({data: {id: n.id, label: label.length > 40 ? label.slice(0, 38) + "…" : label,
        raw: n, size: size(n[metric]),
        color: PALETTE[(n.community ?? 0) % PALETTE.length]}});
    }
    edges.forEach((e, i) => elements.push({data: {id: "e" + i, source: e.source,
      target: e.target, w: e.weight || 1}}));
    if (state.cy) state.cy.destroy();
    state.cy = cytoscape({
      container: document.getElementById("cy"), elements,
      style: [
        {selector: "node", style: {"background-color": "data(color)", width: "data(size)",
          height: "data(size)", label: "", "border-width": 0}},
        {selector: "node.big, node:selected, node.found", style: {label: "data(label)",
          "font-size": 11, "min-zoomed-font-size": 6, "text-outline-color": "#fff",
          "text-outline-width": 2}},
        {selector: "node:selected, node.found", style: {"border-width": 3,
          "border-color": "#000"}},
        {selector: "edge", style: {width: 0.6, "line-color": "#b8b8b8",
          opacity: edges.length > 2000 ? 0.15 : 0.6}},
      ],
      // Dense networks (academies linked by shared members) collapse under a force layout:
      // a circle ordered by community shows their blocks instead.
      layout: edges.length > 8 * nodes.length
        ? {name: "circle", animate: false, fit: true, padding: 30}
        : {name: "cose", animate: false, numIter: nodes.length > 300 ? 250 : 600,
          randomize: true, nodeRepulsion: () => 60000, idealEdgeLength: () => 60,
          componentSpacing: 60, fit: true, padding: 20},
      minZoom: 0.05, maxZoom: 6,
    });
    if (state.cy.zoom() > 1.2) { state.cy.zoom(1.2); state.cy.center(); }
    const ranked = [...nodes].sort((a, b) => (b[metric] || 0) - (a[metric] || 0));
    const big = new Set(ranked.slice(0, 12).map((n) => n.id));
    state.cy.nodes().forEach((n) => { if (big.has(n.id())) n.addClass("big"); });
    state.cy.on("tap", "node", (ev) => show(ev.target.data("raw")));
    state.nodes = nodes.length;
    state.edges = edges.length;
    names.replaceChildren(...nodes.slice(0, 2000).map((n) => el("option", {value: n.label || n.id})));
    const comms = (data.communities || []).length;
    const total = (data.nodes || []).length;
    say(fmt(state.nodes, lang) + " / " + fmt(total, lang) + " " + status.dataset.nodes + ", " +
      fmt(state.edges, lang) + " " + status.dataset.edges + ", " + comms + " " +
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
      info.appendChild(el("dd", {}, typeof v === "number" ? fmt(v, lang) : v));
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
  loadProjections().then((ok) => { if (ok) run(); });
})();
