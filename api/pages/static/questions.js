/* Questions page: run the named query through /api/queries/{name} and show a readable table:
   headings from the query's own it/en column labels (#+ columns: in the .rq header), numbers
   and percentages in the page language, GROUP_CONCAT columns as lists, and a Vega-Lite bar
   chart beside any result with one category and one or more measures. */
"use strict";
(function () {
  const {href, el, fmt, getJSON, lang} = window.itskg;
  const form = document.getElementById("qform");
  const section = document.getElementById("results");
  const status = document.getElementById("status");
  const holder = document.getElementById("table");
  const chartBox = document.getElementById("result-chart");
  if (!form || !section) return;
  const columns = JSON.parse(section.dataset.columns || "{}");
  // A parameter column is hidden only when the parameter is set (then it is the same on every
  // row); left empty ("all"), it varies and is shown.
  const bound = new URLSearchParams(section.dataset.query || "");
  const hidden = new Set(["lang", ...Array.from(bound.keys()).filter((k) => bound.get(k))]);
  const locale = lang === "en" ? "en-GB" : "it-IT";
  const NUM = /#(integer|decimal|double|float|int|long|nonNegativeInteger|short)$/;
  const MAX_CHART_ROWS = 25;

  const heading = (v) => (columns[v] && columns[v].label) || v;
  const isNum = (b) => b && b.type !== "uri" && b.datatype && NUM.test(b.datatype);
  function number(v, b) {
    const n = Number(b.value);
    if (columns[v] && columns[v].format === "percent") {
      return new Intl.NumberFormat(locale, {style: "percent", maximumFractionDigits: 1}).format(n);
    }
    return fmt(n, lang);
  }
  function cell(v, b, labelCell) {
    const td = el("td");
    if (!b) return td;
    if (b.type === "uri") {
      const short = b.value.replace(/[/#]$/, "").split(/[/#]/).pop();
      td.appendChild(el("a", {href: href(b.value), title: b.value},
        labelCell ? labelCell.value : short));
    } else if (isNum(b)) {
      td.textContent = number(v, b);
      td.className = "n";
    } else if (columns[v] && columns[v].list && b.value.includes(columns[v].list.trim())) {
      const items = b.value.split(columns[v].list).map((s) => s.trim()).filter(Boolean);
      const ul = el("ul", {class: "cell-list"});
      for (const it of items) ul.appendChild(el("li", {}, it));
      td.appendChild(ul);
    } else {
      td.textContent = b.value;
    }
    return td;
  }

  /** A bar chart when the rows have one category column and one or more measures. */
  function chart(rows, shown, labelOf) {
    chartBox.hidden = true;
    const lib = window.itskgVega;
    if (!lib || !rows.length) return;
    const numeric = shown.filter((v) => rows.every((r) => !r[v] || isNum(r[v])) &&
      rows.some((r) => r[v]));
    const cats = shown.filter((v) => !numeric.includes(v));
    if (cats.length !== 1 || numeric.length < 1) return;
    const cat = cats[0];
    const measures = numeric.slice(0, 4).map(heading);
    const percent = numeric.slice(0, 4).every((v) => columns[v] && columns[v].format === "percent");
    const values = rows.slice(0, MAX_CHART_ROWS).map((r) => {
      const o = {};
      const c = r[cat];
      o[heading(cat)] = c ? (labelOf[cat] && r[labelOf[cat]] ? r[labelOf[cat]].value :
        (c.type === "uri" ? c.value.split(/[/#]/).pop() : c.value)) : "";
      for (const v of numeric.slice(0, 4)) o[heading(v)] = r[v] ? Number(r[v].value) : null;
      return o;
    });
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: {values}, width: 360, height: {step: measures.length > 1 ? 10 : 16},
      transform: [{fold: measures, as: ["measure", "value"]}],
      mark: {type: "bar", tooltip: true},
      encoding: {
        y: {field: heading(cat), type: "nominal", sort: null, title: null,
          axis: {labelLimit: 180}},
        x: {field: "value", type: "quantitative", title: measures.length === 1 ? measures[0] : null,
          axis: percent ? {format: ".0%"} : {}},
        color: {field: "measure", type: "nominal", title: null,
          legend: measures.length > 1 ? {orient: "bottom"} : null},
        yOffset: {field: "measure"},
      },
    };
    chartBox.hidden = false;
    const caption = chartBox.querySelector("figcaption");
    caption.textContent = rows.length > MAX_CHART_ROWS ?
      status.dataset.chartTop.replace("N", MAX_CHART_ROWS) : "";
    lib.vegaEmbed(chartBox.querySelector(".vis"), spec, {
      actions: false,
      renderer: "svg", ast: true, expr: lib.expressionInterpreter, defaultStyle: false,
      formatLocale: lang === "it" ? {decimal: ",", thousands: ".", grouping: [3],
        currency: ["", " €"], percent: " %"} : undefined,
    }).then(() => { chartBox.dataset.drawn = "yes"; },
      (err) => { chartBox.dataset.drawn = "error"; caption.textContent = err.message; });
  }

  function render(data) {
    holder.replaceChildren();
    const vars = data.head.vars;
    const rows = data.results.bindings;
    const labelOf = {};
    for (const v of vars) if (vars.includes(v + "Label")) labelOf[v] = v + "Label";
    const shown = vars.filter((v) => !hidden.has(v) && !Object.values(labelOf).includes(v));
    status.textContent = rows.length ? fmt(rows.length, lang) + " " + status.dataset.rows :
      status.dataset.none;
    if (!rows.length) { chartBox.hidden = true; return; }
    const table = el("table", {id: "result-table"});
    const thead = el("thead");
    const tr = el("tr");
    for (const v of shown) {
      const th = el("th", {scope: "col", title: "?" + v}, heading(v));
      if (rows.some((r) => isNum(r[v]))) th.className = "n";
      tr.appendChild(th);
    }
    thead.appendChild(tr);
    table.appendChild(thead);
    const tbody = el("tbody");
    for (const b of rows) {
      const row = el("tr");
      for (const v of shown) row.appendChild(cell(v, b[v], labelOf[v] ? b[labelOf[v]] : null));
      tbody.appendChild(row);
    }
    table.appendChild(tbody);
    holder.appendChild(table);
    chart(rows, shown, labelOf);
  }

  async function run() {
    status.textContent = status.dataset.running;
    const q = section.dataset.query;
    const url = form.dataset.api + "?" + (q ? q + "&" : "") + "format=json";
    try {
      render(await getJSON(url));
    } catch (err) {
      holder.replaceChildren();
      status.textContent = status.dataset.error + ": " + err.message;
      status.className = "error";
    }
  }
  if (section.dataset.run === "yes") run();
})();
