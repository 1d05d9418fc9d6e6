// Entry of /vendor/itskg/charts.min.js: Vega-Lite charts that draw under a Content-Security-Policy
// without 'unsafe-eval'. Vega normally compiles expressions with the Function constructor; with
// vega-interpreter and `ast: true` it interprets them instead (https://vega.github.io/vega/usage/interpreter/).
import vegaEmbed from "vega-embed";
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import { expressionInterpreter } from "vega-interpreter";

window.itskgVega = { vegaEmbed, vega, vegaLite, expressionInterpreter };
