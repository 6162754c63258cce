"""Background work for 音视频: the transcode, queued when an upload (or retry) commits."""

from django_tasks import task


@task()
def transcode_media(asset_id: int) -> str:
    """Transcode one asset (see ``transcoding``); a no-op unless the asset is pending, so a
    re-run on a ready asset does nothing. Returns the asset's status afterwards."""
    from .transcoding import transcode_asset

    return transcode_asset(asset_id)
