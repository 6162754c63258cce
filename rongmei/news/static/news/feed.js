// "加载更多" continues the feed in place (keyset cursor); without JS the link opens the next page.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-more]");
  if (!link) return;
  event.preventDefault();
  var item = link.parentNode;
  link.textContent = "加载中…";
  var url = new URL(link.href, location.href);
  url.searchParams.set("partial", "1");
  fetch(url, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
    .then(function (html) { item.insertAdjacentHTML("beforebegin", html); item.remove(); })
    .catch(function () { link.textContent = "加载失败，点此重试"; });
});
