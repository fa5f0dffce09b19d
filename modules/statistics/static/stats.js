/* The statistics dashboards' charts (issue 16). Every element with data-chart="<id>" becomes an
   ECharts chart from the JSON data block <script type="application/json" id="<id>"> the server
   wrote (modules/statistics/charts.py): categories down the side (horizontal bars read on a phone),
   one series per colour, the "as of" line under the title. A chart with links opens the clicked
   unit's dashboard (the drill-down). No inline script: the CSP allows only files of this site. */
(function () {
  "use strict";

  function spec(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function option(s, narrow) {
    var stacked = !!s.stacked;
    var many = s.series.length > 1;
    return {
      animation: false,
      title: { text: s.title, subtext: s.as_of, left: 0, textStyle: { fontSize: 14 }, subtextStyle: { fontSize: 12 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: many ? { type: "scroll", bottom: 0 } : { show: false },
      grid: { left: 8, right: 24, top: 56, bottom: many ? 36 : 8, containLabel: true },
      xAxis: { type: "value", name: narrow ? "" : s.value_name, minInterval: 1 },
      yAxis: { type: "category", data: s.categories, inverse: true,
               axisLabel: { width: narrow ? 90 : 160, overflow: "truncate" } },
      series: s.series.map(function (x) {
        return { name: x.name, type: "bar", data: x.data, stack: stacked ? "all" : undefined,
                 label: { show: !stacked && !narrow, position: "right" },
                 cursor: s.links ? "pointer" : "default" };
      })
    };
  }

  function height(s) {
    var rows = Math.max(s.categories.length, 1);
    return Math.min(Math.max(rows * 28 + 110 + (s.series.length > 1 ? 30 : 0), 180), 900);
  }

  var charts = [];
  function draw(el) {
    var s = spec(el.getAttribute("data-chart"));
    if (!s || typeof echarts === "undefined") { return; }
    el.style.height = height(s) + "px";
    var narrow = el.clientWidth < 480;
    var chart = echarts.init(el, null, { renderer: el.getAttribute("data-renderer") || "canvas" });
    chart.setOption(option(s, narrow));
    if (s.links) {
      chart.on("click", function (p) {
        var href = s.links[p.dataIndex];
        if (href) { window.location.href = href; }
      });
    }
    el.setAttribute("data-drawn", "1");
    charts.push(chart);
  }

  function init() {
    var els = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < els.length; i++) { draw(els[i]); }
    window.addEventListener("resize", function () {
      for (var j = 0; j < charts.length; j++) { charts[j].resize(); }
    });
    var printer = document.getElementById("print-now");
    if (printer) { printer.addEventListener("click", function () { window.print(); }); }
    var forms = document.querySelectorAll("form.autosubmit");  /* the table and snapshot pickers */
    for (var k = 0; k < forms.length; k++) {
      (function (form) {
        var select = form.querySelector("select");
        if (select) { select.addEventListener("change", function () { form.submit(); }); }
      })(forms[k]);
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
