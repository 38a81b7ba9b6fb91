// Live updates of the queue: the server says when a report of the officer's communes is
// filed or changes (server-sent events, /live); the table is fetched again with its filters.
(function () {
  "use strict";
  var queue = document.querySelector("[data-live]");
  if (!queue || !window.EventSource) { return; }
  var source = new EventSource(queue.getAttribute("data-live"));
  var pending = null;
  source.addEventListener("open", function () { document.body.setAttribute("data-live", "on"); });
  source.addEventListener("error", function () { document.body.removeAttribute("data-live"); });
  source.addEventListener("report", function () {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      htmx.ajax("GET", window.location.pathname + window.location.search,
                {target: "#queue", select: "#queue", swap: "outerHTML"});
    }, 150);
  });
}());
