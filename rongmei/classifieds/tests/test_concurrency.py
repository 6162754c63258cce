"""Parallel requests on one post (real PostgreSQL row locks; SQLite serialises writers).
Review finding: six parallel uploads of five photos each left a post with 30 photos."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from rongmei.classifieds.models import Post, PostPhoto
from rongmei.tests_support import make_user

from .conftest import jpeg_with_gps, rent_post

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: row locks under real concurrency")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_photo_uploads_never_pass_nine(categories):
    author = make_user(phone="13912340000")
    client = Client()
    client.force_login(author)
    post_id = client.post("/api/v1/classifieds/posts", rent_post(),
                          content_type="application/json").json()["id"]
    barrier, statuses, lock = threading.Barrier(6), [], threading.Lock()

    def upload():
        try:
            mine = Client()
            mine.force_login(author)
            photos = [jpeg_with_gps(f"{n}.jpg") for n in range(5)]
            barrier.wait()
            status = mine.post(f"/api/v1/classifieds/posts/{post_id}/photos",
                               {"photos": photos}).status_code
            with lock:
                statuses.append(status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 400, 400, 400, 400, 400], statuses
    assert PostPhoto.objects.filter(post_id=post_id).count() == 5
    assert Post.objects.get(pk=post_id).photos.count() == 5
