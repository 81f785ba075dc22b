/* 四精助手工作台: small progressive enhancements; every page works without this file.
 *
 * Charts: an element [data-chart="ID"] names a <script type="application/json" id="ID"> with
 *   {type: "bar"|"hbar"|"line"|"pie"|"stack"|"hstack", categories: [...], series: [{name, data, links?}],
 *    links?: [...], unit?: "%", max?: n}
 * A click on a bar, point or slice opens its link (series[i].links[j], or links[j]).
 */
(function () {
  "use strict";
  var PALETTE = ["#c62f2f", "#2b6cb0", "#d69e2e", "#2f855a", "#805ad5", "#dd6b20", "#319795", "#718096"];

  function base(spec) {
    var unit = spec.unit || "";
    return {
      color: PALETTE, animation: false, textStyle: { fontFamily: "inherit" },
      grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
      tooltip: { trigger: spec.type === "pie" ? "item" : "axis", confine: true,
                 valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + unit; } },
      legend: { show: spec.series.length > 1 || spec.type === "pie", top: 0, type: "scroll" }
    };
  }

  function option(spec, narrow) {
    var o = base(spec), unit = spec.unit || "";
    var crowded = narrow && spec.categories.length > 6;  /* a phone: values on tap (tooltip), not on every bar */
    var label = { show: !crowded, formatter: function (p) { return p.value === null || (p.value === 0 && !unit) ? "" : p.value + unit; } };
    if (spec.type === "pie") {
      o.series = [{ type: "pie", radius: ["40%", "68%"], top: 24, data: spec.categories.map(function (c, i) {
        return { name: c, value: spec.series[0].data[i] };
      }), label: { formatter: "{b}\n{c}" } }];
      return o;
    }
    var horizontal = spec.type === "hbar" || spec.type === "hstack";
    var stacked = spec.type === "stack" || spec.type === "hstack";
    var cat = { type: "category", data: spec.categories, axisLabel: { interval: 0, hideOverlap: true } };
    var val = { type: "value", max: spec.max, axisLabel: { formatter: "{value}" + unit } };
    if (horizontal) { cat.inverse = true; o.xAxis = val; o.yAxis = cat; } else { o.xAxis = cat; o.yAxis = val; }
    o.series = spec.series.map(function (s) {
      var kind = spec.type === "line" ? "line" : "bar";
      var out = { name: s.name, type: kind, data: s.data, connectNulls: true, label: label, barMaxWidth: 36 };
      if (stacked) { out.stack = "all"; out.label = { show: false }; }
      if (kind === "line") {
        out.symbolSize = 9;
        out.label = { show: !crowded && spec.series.length === 1, formatter: label.formatter };
      }
      return out;
    });
    return o;
  }

  function link(spec, p) {
    var s = spec.series[p.seriesIndex] || {};
    var links = s.links || spec.links || [];
    return links[p.dataIndex];
  }

  function drawCharts() {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(spec, el.clientWidth < 500));
      chart.on("click", function (p) {
        var target = link(spec, p);
        if (target) { window.location.href = target; }
      });
      el.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
  }

  function cleanFilters() {
    /* an empty filter is no filter: keep the address short and shareable */
    document.querySelectorAll("form[data-clean]").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("input, select").forEach(function (f) { if (!f.value) { f.disabled = true; } });
      });
    });
  }

  function openFiltersOnWideScreens() {
    if (window.matchMedia && window.matchMedia("(min-width: 760px)").matches) {
      document.querySelectorAll("details[data-wide-open]").forEach(function (d) { d.open = true; });
    }
  }

  function confirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });
  }

  drawCharts();
  cleanFilters();
  openFiltersOnWideScreens();
  confirmations();
}());
