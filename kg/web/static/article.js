/* An article: a click on a mention opens the page of its entity (the innermost mention clicked). */
(function () {
  "use strict";
  document.getElementById("body").addEventListener("click", function (event) {
    var mark = event.target.closest("mark.mention");
    if (mark) window.location.href = "/entity?iri=" + encodeURIComponent(mark.dataset.entity);
  });
  if (location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    if (target) target.classList.add("kg-target");
  }
})();
