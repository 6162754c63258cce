"""In headless Chromium: the settings switch subscribes through the page's JavaScript, the
server sends a real encrypted push to the stand-in push service, and the decrypted payload,
delivered to the real service worker (DevTools ``ServiceWorker.deliverPushMessage``, the
same entry point a push service's message takes), is shown as a notification with the
right title, body, icon and link.

What cannot run without the network: Chromium's own ``pushManager.subscribe`` talks to
Google's FCM, so the page's ``PushManager.prototype.subscribe`` is replaced by one that
returns a subscription on the stand-in service (keys made by the test, playing the browser);
everything else (permission, service worker registration, the API call with CSRF, the
server's encryption and VAPID, the worker's ``push`` handler) is the real thing.
"""

from __future__ import annotations

import json
import time

import pytest

from rongmei.browser_testing import assert_accessible, assert_no_page_problems, login_by_sms
from rongmei.push import services
from rongmei.push.models import PushMessage, PushSubscription
from rongmei.tests_support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "service_workers": "allow"}


@pytest.fixture
def live_site(live_server):
    """The resident site without the demo county: these tests need only login and 设置."""
    from rongmei.browser_testing import LiveSite, ensure_resident_site

    return LiveSite(base_url=live_server.url, home=ensure_resident_site(seed=False))


FAKE_SUBSCRIBE = """subscription => {
  PushManager.prototype.subscribe = function (options) {
    window.__subscribeOptions = {userVisibleOnly: options.userVisibleOnly,
                                 keyLength: new Uint8Array(options.applicationServerKey).length};
    return Promise.resolve({endpoint: subscription.endpoint,
                            toJSON: () => subscription, unsubscribe: () => Promise.resolve(true)});
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(null); };
}"""

RECORD_NOTIFICATIONS = """() => {
  self.__shown = [];
  const original = self.registration.showNotification.bind(self.registration);
  self.registration.showNotification = (title, options) => {
    self.__shown.push({title, body: options.body, icon: options.icon, tag: options.tag,
                       data: options.data});
    return original(title, options);
  };
}"""


def wait_for(page, predicate, timeout=10.0):
    """Poll ``predicate``; waiting through Playwright lets it deliver browser events."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        page.wait_for_timeout(100)
    raise AssertionError("timed out")


def test_switch_subscribes_and_the_service_worker_shows_the_breaking_push(
        live_site, browser, browser_context_args, push_service):
    from rongmei.browser_testing import open_page

    resident = make_user(phone="13712340088")
    page = open_page(browser, browser_context_args)
    page.context.grant_permissions(["notifications"], origin=live_site.url(""))
    subscription = push_service.new_subscription("phone")
    login_by_sms(page, live_site, resident.phone, next_path="/me/settings/")
    page.evaluate(FAKE_SUBSCRIBE, subscription)

    switch = page.get_by_role("switch", name="突发新闻提醒")
    switch.wait_for()
    wait_for(page, lambda: switch.is_enabled())
    assert_accessible(page, "设置页（推送开关）")
    switch.check()
    status = page.locator("[data-push-status]")
    wait_for(page, lambda: "已开启" in status.inner_text())
    assert page.evaluate("() => window.__subscribeOptions") == {"userVisibleOnly": True,
                                                                "keyLength": 65}
    stored = PushSubscription.objects.get()
    assert stored.endpoint == subscription["endpoint"] and stored.user == resident

    # The server sends for real; the stand-in verifies and decrypts it.
    message = services.broadcast(title="突发：暴雨红色预警", body="今夜特大暴雨，请减少外出。",
                                 url="/news/42/")
    wait_for(page, lambda: PushMessage.objects.get(pk=message.pk).delivered_count == 1)
    assert push_service.problems == []
    [payload] = push_service.payloads("phone")

    # The decrypted payload reaches the real service worker as a push event.
    worker = page.context.service_workers[0] if page.context.service_workers else \
        page.context.wait_for_event("serviceworker")
    worker.evaluate(RECORD_NOTIFICATIONS)
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    wait_for(page, lambda: registrations)
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": live_site.url("").rstrip("/"), "registrationId":
        registrations[0]["registrationId"], "data": json.dumps(payload, ensure_ascii=False)})
    shown = wait_for(page, lambda: worker.evaluate("() => self.__shown"))
    assert shown == [{"title": "突发：暴雨红色预警", "body": "今夜特大暴雨，请减少外出。",
                      "icon": "/static/rongmei/img/icon-192.png", "tag": f"push-{message.pk}",
                      "data": {"url": "/news/42/"}}]
    # …and the browser holds it (showNotification resolved): what the resident sees.
    notifications = wait_for(page, lambda: page.evaluate(
        "() => navigator.serviceWorker.ready.then(r => r.getNotifications())"
        ".then(list => list.map(n => ({title: n.title, url: n.data.url})))"))
    assert notifications == [{"title": "突发：暴雨红色预警", "url": "/news/42/"}]

    # A tap opens the story on our own site. DevTools cannot click a notification and a
    # window may only open on a real tap, so the click is a synthetic event on the shown
    # notification and clients.openWindow records where it would go.
    opened = worker.evaluate("""() => new Promise(resolve => {
      self.clients.openWindow = url => { resolve(url); return Promise.resolve(null); };
      self.registration.getNotifications().then(([shown]) => {
        self.dispatchEvent(new NotificationEvent("notificationclick", {notification: shown}));
      });
      setTimeout(() => resolve(null), 5000);
    })""")
    assert opened == live_site.url("/news/42/")

    # Switching off forgets the subscription on the server.
    page.evaluate("""endpoint => { PushManager.prototype.getSubscription = function () {
        return Promise.resolve({endpoint, unsubscribe: () => Promise.resolve(true)}); }; }""",
                  subscription["endpoint"])
    switch.uncheck()
    wait_for(page, lambda: "已关闭" in status.inner_text())
    assert not PushSubscription.objects.exists()
    assert_no_page_problems(page)
    page.context.close()


def test_denied_permission_is_explained_in_chinese(live_site, browser, browser_context_args):
    from rongmei.browser_testing import open_page

    resident = make_user(phone="13712340089")
    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, resident.phone, next_path="/me/settings/")
    page.evaluate("() => { Notification.requestPermission = () => Promise.resolve('denied'); }")
    switch = page.get_by_role("switch", name="突发新闻提醒")
    wait_for(page, lambda: switch.is_enabled())
    switch.click()  # the switch turns itself back off at once
    status = page.locator("[data-push-status]")
    wait_for(page, lambda: "禁止本站发送通知" in status.inner_text())
    assert not switch.is_checked()
    assert not PushSubscription.objects.exists()
    assert_no_page_problems(page)
    page.context.close()
