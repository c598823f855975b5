// The cockpit's one script (served as a file: the page's Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  // Copy a case id: the Clipboard API, else a selected text field and execCommand.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var field = document.createElement("textarea");
      field.value = text;
      field.className = "offscreen";
      document.body.appendChild(field);
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(field);
      if (ok) { resolve(); } else { reject(new Error("copy")); }
    });
  }

  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var label = button.textContent;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      copyText(text).then(function () {
        button.textContent = "Đã sao chép";
      }, function () {
        // No clipboard (an old browser, a refused permission): select the code for Ctrl+C.
        var code = button.parentNode.querySelector("code");
        if (code && window.getSelection) {
          var range = document.createRange();
          range.selectNodeContents(code);
          window.getSelection().removeAllRanges();
          window.getSelection().addRange(range);
        }
        button.textContent = "Chọn sẵn: bấm Ctrl+C";
      }).then(function () {
        window.setTimeout(function () { button.textContent = label; }, 2500);
      });
    });
  });

  // The commune drop-down shows its commune at once (the "Xem" button stays for keyboards and no-JS).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // A link to an Airflow UI page (a required action, a DAG run): inside Airflow's frame, open it in
  // Airflow's own window — its router follows a pushed history entry — rather than Airflow in the frame.
  // Outside a frame, or when the parent is not Airflow's UI (another origin), the link works as usual.
  document.querySelectorAll("a[data-airflow]").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      if (window.top === window || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) { return; }
      try {
        var top = window.top;
        var url = new URL(a.href, window.location.href);
        if (url.origin !== top.location.origin) { return; }
        top.history.pushState(null, "", url.pathname + url.search + url.hash);
        top.dispatchEvent(new PopStateEvent("popstate", { state: null }));
        ev.preventDefault();
      } catch (e) {
        // The parent cannot be reached: let the frame follow the link.
      }
    });
  });
})();
