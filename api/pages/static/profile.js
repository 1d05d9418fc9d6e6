/* Region/academy profile: draws each chart of #profile-data with Vega-Lite (vega-embed) under a
   Content-Security-Policy without 'unsafe-eval' (expressions interpreted by vega-interpreter,
   `ast: true`), numbers in the page language, and offers PNG/SVG downloads of each chart.
   Sets data-drawn="yes" on each figure and data-charts="drawn" on <body> when all are done
   (the PDF export and the browser tests wait for it). */
"use strict";
(function () {
  const holder = document.getElementById("profile-data");
  if (!holder) return;
  const data = JSON.parse(holder.textContent);
  const lib = window.itskgVega;
  const IT = {decimal: ",", thousands: ".", grouping: [3], currency: ["", "\u00a0€"],
    percent: "\u00a0%"};
  const figures = Array.from(document.querySelectorAll("figure.chart"));
  function done() { document.body.dataset.charts = "drawn"; }
  if (!lib) {
    for (const f of figures) f.dataset.drawn = "error";
    document.body.dataset.charts = "error";
    return;
  }
  const options = {
    actions: false, renderer: "svg", ast: true, expr: lib.expressionInterpreter,
    defaultStyle: false, tooltip: false,
    formatLocale: data.lang === "it" ? IT : undefined,
  };
  const jobs = figures.map(async (fig) => {
    const spec = data.charts[fig.dataset.chart];
    const vis = fig.querySelector(".vis");
    try {
      const res = await lib.vegaEmbed(vis, spec, options);
      const png = await res.view.toImageURL("png", 2);
      const svg = await res.view.toImageURL("svg");
      fig.querySelector("a.dl-png").href = png;
      fig.querySelector("a.dl-svg").href = svg;
      fig.dataset.drawn = vis.querySelector("svg") ? "yes" : "empty";
    } catch (err) {
      fig.dataset.drawn = "error";
      vis.textContent = (data.failed || "Chart not drawn") + ": " + err.message;
      vis.className = "vis error";
    }
  });
  Promise.all(jobs).then(done, done);
})();
