// "Quay lại kết quả": back to the results as they were (search, page), when there is a history.
document.querySelectorAll("a[data-back]").forEach(function (a) {
  a.addEventListener("click", function (ev) {
    if (window.history.length > 1) { ev.preventDefault(); window.history.back(); }
  });
});
// "Sao chép": a case id onto the clipboard (the action forms ask for it). Airflow's frame may refuse
// the clipboard: the id is then selected, for Ctrl+C.
document.querySelectorAll("button[data-copy]").forEach(function (b) {
  b.addEventListener("click", function () {
    var code = document.getElementById(b.getAttribute("data-copy"));
    var done = function () { b.textContent = "Đã chép"; setTimeout(function () { b.textContent = "Sao chép"; }, 1500); };
    var select = function () {
      var r = document.createRange(); r.selectNodeContents(code);
      var s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
      b.textContent = "Nhấn Ctrl+C";
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(code.textContent).then(done, select);
    } else { select(); }
  });
});
