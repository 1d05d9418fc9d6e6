// Entry of /vendor/itskg/layout.min.js: the fCoSE force-directed layout (cytoscape-fcose, with
// cose-base and layout-base), registered with the global cytoscape loaded before it.
import fcose from "cytoscape-fcose";

if (window.cytoscape) window.cytoscape.use(fcose);
