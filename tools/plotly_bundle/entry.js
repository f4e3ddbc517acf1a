'use strict';
// plotly.js with only the trace types the dashboard draws in the browser: line and bar charts
// (scatter, bar) and the neighbourhood and LSOA maps (choropleth, scattergeo).
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/scattergeo'),
]);

module.exports = Plotly;
