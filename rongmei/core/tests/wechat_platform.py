"""A stand-in of the WeChat endpoints the resident app uses, served over real HTTP on
127.0.0.1 (rongmei.standin), answering as WeChat documents them:

* ``GET /cgi-bin/token`` (client_credential) → access_token, expires_in
* ``GET /cgi-bin/ticket/getticket?access_token&type=jsapi`` → errcode 0, ticket, expires_in
* ``GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state`` →
  302 to ``redirect_uri?code=…&state=…`` at once (the resident "agrees"), or without a code
  when ``deny`` is set (they refused)
* ``GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code`` → openid,
  unionid; a code works once (40163 after), an unknown one is 40029
* ``GET /sns/userinfo?access_token&openid&lang=zh_CN`` → nickname, headimgurl

``fail[path]`` holds answers to give before behaving (a dict or any JSON value, or bytes
sent as they are); ``calls`` counts each path. The
``wechat`` fixture (conftest.py) starts it and points the settings at it.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from collections import Counter
from urllib.parse import parse_qsl, urlencode, urlsplit

APPID, SECRET = "wx5f3c2a1b0d9e8f7a", "0123456789abcdef0123456789abcdef"


class FakeWechatPlatform:
    def __init__(self):
        self.calls = Counter()
        self.valid_tokens: set[str] = set()
        self.tokens_issued = 0
        self.tickets_issued = 0
        self.fail: dict[str, list[dict]] = {}
        self.openid = "oRESIDENT0000000000000000001"  # who is at the phone
        self.nickname = "莲乡小李"
        self.headimgurl = "https://thirdwx.qlogo.cn/mmopen/avatar/132"
        self.deny = False
        self.codes: dict[str, dict] = {}
        self.sns_tokens: dict[str, str] = {}
        self.url = ""
        self.delay = 0.0  # seconds each answer takes (the one-fetch-at-a-time test)

    # --- tests say what happens --------------------------------------------------------
    def end_tokens(self):
        """WeChat ended the tokens it gave (a secret reset, or a token fetched elsewhere)."""
        self.valid_tokens.clear()

    # --- the endpoints ---------------------------------------------------------------
    def route(self, r):
        self.calls[r.path] += 1
        if self.delay:
            time.sleep(self.delay)
        if self.fail.get(r.path):
            return 200, self.fail[r.path].pop(0)
        q = r.query
        if r.path == "/cgi-bin/token":
            assert q["grant_type"] == "client_credential"
            if (q.get("appid"), q.get("secret")) != (APPID, SECRET):
                return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
            self.tokens_issued += 1
            token = f"ACCESS_TOKEN_{self.tokens_issued}"
            self.valid_tokens = {token}  # a new token ends the previous one
            return 200, {"access_token": token, "expires_in": 7200}
        if r.path == "/cgi-bin/ticket/getticket":
            assert q["type"] == "jsapi"
            if q.get("access_token") not in self.valid_tokens:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            self.tickets_issued += 1
            return 200, {"errcode": 0, "errmsg": "ok", "expires_in": 7200,
                         "ticket": f"TICKET_{self.tickets_issued}"}
        if r.path == "/connect/oauth2/authorize":
            assert q["appid"] == APPID and q["response_type"] == "code"
            assert q["scope"] == "snsapi_userinfo"
            back = {"state": q.get("state", "")}
            if not self.deny:
                code = secrets.token_hex(8)
                self.codes[code] = {"openid": self.openid, "used": False}
                back = {"code": code, **back}
            target = q["redirect_uri"] + "?" + urlencode(back)
            return 302, b"", {"Location": target}
        if r.path == "/sns/oauth2/access_token":
            assert q["grant_type"] == "authorization_code"
            if (q.get("appid"), q.get("secret")) != (APPID, SECRET):
                return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
            issued = self.codes.get(q.get("code", ""))
            if issued is None:
                return 200, {"errcode": 40029, "errmsg": "invalid code"}
            if issued["used"]:
                return 200, {"errcode": 40163, "errmsg": "code been used"}
            issued["used"] = True
            token = secrets.token_hex(8)
            self.sns_tokens[token] = issued["openid"]
            return 200, {"access_token": token, "expires_in": 7200, "refresh_token": "R",
                         "openid": issued["openid"], "scope": "snsapi_userinfo",
                         "unionid": "u" + issued["openid"]}
        if r.path == "/sns/userinfo":
            if self.sns_tokens.get(q.get("access_token")) != q.get("openid"):
                return 200, {"errcode": 40003, "errmsg": "invalid openid"}
            assert q["lang"] == "zh_CN"
            # \u-escaped JSON, as a nickname with a lone surrogate would come over the wire
            return 200, json.dumps({"openid": q["openid"], "nickname": self.nickname, "sex": 0,
                                    "headimgurl": self.headimgurl,
                                    "privilege": [], "unionid": "u" + q["openid"]}).encode()
        return 404, {"errcode": -1, "errmsg": "no such endpoint in the stand-in"}

    # --- a browser's part ------------------------------------------------------------------
    def authorize(self, location: str) -> str:
        """Open WeChat's authorize URL as the resident's WeChat would (over HTTP, the
        #wechat_redirect fragment stays in the client) and return where WeChat sends them."""
        assert location.startswith(self.url + "/connect/oauth2/authorize?"), location
        assert location.endswith("#wechat_redirect")

        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(Stay)
        try:
            opener.open(location.split("#")[0], timeout=5)
        except urllib.error.HTTPError as exc:
            assert exc.code == 302
            return exc.headers["Location"]
        raise AssertionError("the authorize endpoint did not redirect")


def local(url: str) -> str:
    """The path and query of an absolute URL on the test site, for the Django test client."""
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return parts.path + ("?" + parts.query if parts.query else "")


def query_of(url: str) -> dict:
    return dict(parse_qsl(urlsplit(url).query))
