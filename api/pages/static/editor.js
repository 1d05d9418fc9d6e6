/* SPARQL editor page: YASGUI against /sparql, catalogue queries as tabs, project prefixes. */
"use strict";
(function () {
  const cfg = JSON.parse(document.getElementById("editor-config").textContent);
  const prefixLines = Object.entries(cfg.prefixes)
    .map(([k, v]) => "PREFIX " + k + ": <" + v + ">").join("\n");
  const starter = prefixLines + "\n\nSELECT ?class (COUNT(?s) AS ?n) WHERE {\n  ?s a ?class .\n" +
    "  FILTER(STRSTARTS(STR(?class), STR(itskg:)))\n} GROUP BY ?class ORDER BY DESC(?n)\n";
  // Offline: no prefix.cc or LOV look-ups, only prefixes and variables are completed.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.value = starter;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {endpoint: cfg.endpoint, method: "POST"},
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {getData: () => [{endpoint: cfg.endpoint}]},
    persistenceId: "itskg-yasgui",
    yasqe: {value: starter},
  });
  window.itskgYasgui = yasgui;
  const byName = Object.fromEntries(cfg.tabs.map((t) => [t.name, t]));

  function open(name, active) {
    const t = byName[name];
    if (!t) return;
    const existing = Object.values(yasgui._tabs).find((tab) => tab.getName() === t.title);
    if (existing) {
      if (active) yasgui.selectTabId(existing.getId());
      return;
    }
    yasgui.addTab(active, {name: t.title, yasqe: {value: t.query},
      requestConfig: {endpoint: cfg.endpoint, method: "POST"}});
  }
  // First visit (only the default tab): open the most used catalogue queries as tabs.
  const tabs = Object.values(yasgui._tabs);
  if (tabs.length <= 1 && !location.search.includes("query=")) {
    cfg.first.forEach((n) => open(n, false));
  }
  const select = document.getElementById("catalogue");
  for (const t of cfg.tabs) {
    const o = document.createElement("option");
    o.value = t.name;
    o.textContent = t.title;
    select.appendChild(o);
  }
  select.addEventListener("change", () => { if (select.value) open(select.value, true); });
  const m = location.hash.match(/tab=([a-z0-9_]+)/);
  if (m) open(m[1], true);
})();
