// Managers' pages (tracker/views/supervision.py). Loaded as an external file: the CSP allows no
// inline script. Everything here is an improvement only; the pages work without it.
//
// The overdue and progress list: changing a filter, sorting or turning a page fetches just
// the results table (the view renders its `results` partial when asked with the header
// X-Partial: results) and puts the filter state in the address bar, so the link can still
// be shared. A bulletin's 打印 button prints the page.
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.querySelector("form[data-live]");
  var results = document.getElementById("results");
  if (!form || !results || !window.fetch || !window.URLSearchParams) return;

  var controller = null;
  var timer = null;

  function urlFromForm() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (value !== "") params.append(name, value);
    });
    var query = params.toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }

  // After following a link (a sort header, a page), show its parameters in the form.
  function syncForm(url) {
    var params = new URL(url, window.location.href).searchParams;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name) field.value = params.get(field.name) || "";
    });
  }

  function load(url, push) {
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    results.setAttribute("aria-busy", "true");
    fetch(url, {
      headers: { "X-Partial": "results" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok || response.redirected) throw new Error("reload");
      return response.text();
    }).then(function (html) {
      results.innerHTML = html;
      results.removeAttribute("aria-busy");
      if (push) window.history.pushState({ list: true }, "", url);
    }).catch(function (error) {
      if (error.name === "AbortError") return;
      window.location.href = url; // fall back to a full page load
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    load(urlFromForm(), true);
  });
  form.addEventListener("change", function (event) {
    if (event.target.type === "search") return; // typed text waits for a pause or Enter
    if (event.target.hasAttribute("data-reload")) {
      // The plan chooser: the categories and tasks offered are the chosen plan's, written
      // by the server; a choice of the old plan no longer applies. A full page load.
      form.querySelectorAll("[data-follows]").forEach(function (field) { field.value = ""; });
      window.location.href = urlFromForm();
      return;
    }
    load(urlFromForm(), true);
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "search") return;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { load(urlFromForm(), true); }, 400);
  });
  results.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-live]");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    syncForm(link.href);
    load(link.href, true);
  });
  // Back to a page the browser restores as it was left (a plan chosen, its followers
  // cleared just before the reload): the form says what the address says.
  window.addEventListener("pageshow", function () {
    syncForm(window.location.href);
  });
  window.addEventListener("popstate", function () {
    syncForm(window.location.href);
    load(window.location.href, false);
  });
})();
