/* Shared helpers of the itskg explorer pages (no dependencies). */
"use strict";
window.itskg = (function () {
  const DATA = "https://w3id.org/itskg/id/";
  const VOCAB = "https://w3id.org/itskg/vocab/";
  const ONTO = "https://w3id.org/itskg/ontology#";
  /** The local page of an IRI (same rule as itskg.api.pages.rendering.href). */
  function href(iri) {
    if (iri.startsWith(DATA)) return "/id/" + encodeURI(iri.slice(DATA.length));
    if (iri.startsWith(VOCAB)) return "/vocab/" + encodeURI(iri.slice(VOCAB.length));
    if (iri.startsWith(ONTO)) return "/ontology#" + encodeURIComponent(iri.slice(ONTO.length));
    return "/resource?iri=" + encodeURIComponent(iri);
  }
  /** An element with text (never innerHTML: values come from data). */
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) e.setAttribute(k, v);
    }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(n, lang) {
    if (n === null || n === undefined || Number.isNaN(n)) return "";
    const opts = Number.isInteger(n) ? {} : {maximumFractionDigits: 2};
    return new Intl.NumberFormat(lang === "en" ? "en-GB" : "it-IT", opts).format(n);
  }
  async function getJSON(url) {
    const r = await fetch(url, {headers: {Accept: "application/json"}});
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (!r.ok) {
      const msg = body && body.error ? body.error : r.status + " " + r.statusText;
      const err = new Error(msg);
      err.status = r.status;
      throw err;
    }
    return body;
  }
  return {href, el, fmt, getJSON, lang: document.documentElement.lang || "it"};
})();
