/* 微信分享卡片: inside WeChat only, load the JS-SDK, ask our server to sign this page
   (/api/v1/wechat/jssdk-config) and give WeChat the card the page's og: tags describe.
   Outside WeChat, or when anything fails, the page is untouched: sharing still works, as
   WeChat's plain link card. Included by base.html only while WECHAT_APP_ID is set. */
(function () {
  "use strict";
  if (!/MicroMessenger/i.test(navigator.userAgent || "") || !window.fetch) { return; }
  var me = document.currentScript;
  if (!me) { return; }
  var configUrl = me.getAttribute("data-config");
  var sdkUrl = me.getAttribute("data-sdk");

  function meta(property) {
    var tag = document.querySelector('meta[property="' + property + '"]');
    return tag ? (tag.getAttribute("content") || "").trim() : "";
  }

  // The URL WeChat checks the signature against: this page, without its #fragment.
  var pageUrl = location.href.split("#")[0];

  function card() {
    var link = meta("og:url") || pageUrl;
    if (link.indexOf(location.origin + "/") !== 0) { link = pageUrl; }  // 安全域名 only
    return {
      title: meta("og:title") || document.title,
      desc: meta("og:description") || "",
      link: link,
      imgUrl: meta("og:image")
    };
  }

  function loadSdk(done) {
    if (window.wx) { done(); return; }
    var script = document.createElement("script");
    script.src = sdkUrl;
    script.async = true;
    script.onload = done;
    document.head.appendChild(script);
  }

  fetch(configUrl + "?url=" + encodeURIComponent(pageUrl), {
    credentials: "same-origin", headers: { "Accept": "application/json" }
  }).then(function (response) {
    return response.ok ? response.json() : null;
  }).then(function (config) {
    if (!config || !config.signature) { return; }
    loadSdk(function () {
      var wx = window.wx;
      if (!wx) { return; }
      wx.config({
        debug: false, appId: config.appId, timestamp: config.timestamp,
        nonceStr: config.nonceStr, signature: config.signature, jsApiList: config.jsApiList
      });
      wx.ready(function () {
        var data = card();
        wx.updateAppMessageShareData(data);  // 分享给朋友
        wx.updateTimelineShareData({ title: data.title, link: data.link, imgUrl: data.imgUrl });
      });
    });
  }).catch(function () {});
}());
