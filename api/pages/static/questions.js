/* Questions page: run the named query through /api/queries/{name} and show a table. */
"use strict";
(function () {
  const {href, el, fmt, getJSON, lang} = window.itskg;
  const form = document.getElementById("qform");
  const section = document.getElementById("results");
  const status = document.getElementById("status");
  const holder = document.getElementById("table");
  if (!form || !section) return;
  const params = Array.from(form.querySelectorAll("[name]"))
    .map((e) => e.name).filter((n) => n !== "run");
  const hidden = new Set([...params, "lang"]);

  function cell(b, labelCell) {
    const td = el("td");
    if (!b) return td;
    const isNum = b.datatype && /#(integer|decimal|double|float|int|long)$/.test(b.datatype);
    if (b.type === "uri") {
      const short = b.value.replace(/[/#]$/, "").split(/[/#]/).pop();
      td.appendChild(el("a", {href: href(b.value), title: b.value},
        labelCell ? labelCell.value : short));
    } else {
      td.textContent = isNum ? fmt(Number(b.value), lang) : b.value;
      if (isNum) td.className = "n";
    }
    return td;
  }

  function render(data) {
    holder.replaceChildren();
    const vars = data.head.vars;
    const rows = data.results.bindings;
    const labelOf = {};
    for (const v of vars) if (vars.includes(v + "Label")) labelOf[v] = v + "Label";
    const shown = vars.filter((v) => !hidden.has(v) && !Object.values(labelOf).includes(v));
    status.textContent = rows.length ? rows.length + " " + status.dataset.rows : status.dataset.none;
    if (!rows.length) return;
    const table = el("table", {id: "result-table"});
    const thead = el("thead");
    const tr = el("tr");
    for (const v of shown) tr.appendChild(el("th", {scope: "col"}, v));
    thead.appendChild(tr);
    table.appendChild(thead);
    const tbody = el("tbody");
    for (const b of rows) {
      const row = el("tr");
      for (const v of shown) row.appendChild(cell(b[v], labelOf[v] ? b[labelOf[v]] : null));
      tbody.appendChild(row);
    }
    table.appendChild(tbody);
    holder.appendChild(table);
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
