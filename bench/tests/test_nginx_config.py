"""``rongmei bench --via-nginx`` runs the deployed nginx site's micro-cache, not a copy."""

from pathlib import Path

from bench import nginx


def test_the_bench_config_takes_the_micro_cache_from_deploy_nginx_conf(tmp_path):
    deployed = nginx.DEPLOY_CONF.read_text()
    text = nginx.config(workdir=tmp_path, port=8131, upstream_port=8132,
                        static_file=Path(tmp_path / "static.html"))
    for directive in ("proxy_cache rongmei_micro;", "proxy_cache_bypass $cookie_sessionid",
                      "proxy_no_cache $cookie_sessionid", "map $cookie_rm_elder $rongmei_mode",
                      "$rongmei_mode_mismatch", "$rongmei_not_public",
                      "proxy_ignore_headers Vary Cache-Control Expires;",
                      # page snapshots
                      "map $msec $rongmei_snapshot_bucket", "$rongmei_snapshot_gate",
                      "map $request_uri $rongmei_plain_uri", "try_files /$rongmei_snapshot_gate/",
                      "open_file_cache_valid 1s;", "gzip_static on;", "location @rongmei_app"):
        assert directive in deployed and directive in text
    assert "listen 127.0.0.1:8131;" in text and "server 127.0.0.1:8132;" in text
    # The only include is the bench's own rongmei_snapshot.conf (no snapshots: a set no file
    # is written under).
    assert "proxy_pass http://rongmei_app;" in text
    assert text.count("include") == 1 and f"include {tmp_path}/nginx/snapshot.conf;" in text
    assert (tmp_path / "nginx" / "snapshot.conf").read_text() == nginx.NO_SNAPSHOTS
    assert "ssl" not in text and "/var/cache" not in text
