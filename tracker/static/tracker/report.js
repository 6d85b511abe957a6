// The report form (tracker/templates/tracker/report_form.html). Loaded as an external file: the
// CSP allows no inline script. An improvement only: the server checks the same limits.
//
// Before anything is uploaded, the chosen evidence files are checked against the limits the
// form states (their number, each file's size, their total, what the body may still upload
// today); when they are over, the form says which limit and the submit button waits until the
// choice is changed. The limits and the messages come from the file input's data- attributes
// (tracker/forms/reporting.py).
(function () {
  "use strict";

  var input = document.querySelector("input[type=file][data-max-report]");
  if (!input || !input.files) return;
  var form = input.form;
  var submit = form.querySelector("button[type=submit]");
  var warning = document.createElement("div");
  warning.className = "upload-warning";
  warning.setAttribute("role", "alert");
  warning.hidden = true;
  input.insertAdjacentElement("afterend", warning);

  // As the page writes sizes (Django's filesizeformat): KB below 1 MB, else MB.
  function size(bytes) {
    if (bytes < 1048576) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? values[key] : whole;
    });
  }

  function problems() {
    var files = Array.prototype.slice.call(input.files);
    var data = input.dataset;
    var found = [];
    if (files.length > Number(data.maxFiles)) {
      found.push(fill(data.msgFiles, { count: files.length }));
    }
    var total = 0;
    files.forEach(function (file) {
      total += file.size;
      if (file.size > Number(data.maxFile)) {
        found.push(fill(data.msgFile, { name: file.name, size: size(file.size) }));
      }
    });
    if (total > Number(data.maxReport)) {
      found.push(fill(data.msgReport, { size: size(total) }));
    } else if (total > Number(data.maxToday)) {
      found.push(fill(data.msgToday, { size: size(total) }));
    }
    return found;
  }

  function check() {
    var found = problems();
    warning.textContent = "";
    found.forEach(function (text) {
      var line = document.createElement("div");
      line.textContent = text;
      warning.appendChild(line);
    });
    warning.hidden = found.length === 0;
    if (submit) submit.disabled = found.length > 0;
    return found.length === 0;
  }

  input.addEventListener("change", check);
  form.addEventListener("submit", function (event) {
    if (!check()) event.preventDefault();
  });
})();

// Choosing 已完成 means 100 %, 未启动 0 %: the percent is filled in (the server does the same
// when it is left empty).
(function () {
  "use strict";
  var percent = document.getElementById("id_percent");
  if (!percent) return;
  document.querySelectorAll("input[name=status]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (!radio.checked) return;
      if (radio.value === "completed") percent.value = "100";
      else if (radio.value === "not_started") percent.value = "0";
    });
  });
})();

// The warning that a waiting completion request will be withdrawn (tracker/_signoff_at_stake.html)
// matters only while a status other than 已完成 is chosen; without the script it stays shown.
(function () {
  "use strict";
  var warning = document.getElementById("signoff-at-stake");
  if (!warning) return;
  var radios = document.querySelectorAll("input[name=status]");
  function update() {
    var chosen = document.querySelector("input[name=status]:checked");
    warning.hidden = !!chosen && chosen.value === "completed";
  }
  radios.forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
