"""Thin, safe wrappers around the ffprobe and ffmpeg binaries.

Uploaded files are untrusted input to a large C program, so every call:

* reads only local files (``-protocol_whitelist file``) through an allow-listed demuxer
  (``-format_whitelist``): a "video" that is really an HLS or concat playlist pointing at
  ``/etc/passwd`` or an intranet address is refused, not followed;
* runs with a timeout and never through a shell.

``run_with_progress`` runs ffmpeg with ``-progress pipe:1 -nostats`` and reports the share of
the input done (``out_time_ms`` against the known duration) to a callback.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# Demuxers an upload may be read with (ffmpeg's short names; "mov" covers mp4/m4a/3gp).
VIDEO_DEMUXERS = ("mov", "mp4", "matroska", "webm", "avi", "flv", "mpegts", "mpeg", "asf")
AUDIO_DEMUXERS = ("mp3", "mov", "mp4", "m4a", "aac", "wav", "flac", "ogg", "amr", "asf",
                  "matroska", "webm")
# Stills that ffmpeg also reads as a one-frame "video"; never accepted as a video.
STILL_IMAGE_CODECS = {"mjpeg", "png", "bmp", "gif", "webp", "tiff", "jpegls", "jpeg2000"}
STDERR_TAIL_CHARS = 2000
# How often ffmpeg prints its progress block (it also prints one at the end).
PROGRESS_PERIOD_SECONDS = 0.5


class FFmpegError(Exception):
    """ffmpeg or ffprobe failed; ``stderr_tail`` is the end of what it said."""

    def __init__(self, message: str, stderr_tail: str = ""):
        super().__init__(message)
        self.stderr_tail = stderr_tail


@dataclass(frozen=True)
class ProbeResult:
    format_name: str
    duration: float | None
    video_codec: str | None
    audio_codec: str | None
    width: int | None  # as displayed (rotation applied)
    height: int | None
    video_profile: str | None = None
    pix_fmt: str | None = None

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None and self.video_codec not in STILL_IMAGE_CODECS

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


def ffmpeg_binary() -> str:
    return settings.FFMPEG_BINARY


def ffprobe_binary() -> str:
    return settings.FFPROBE_BINARY


def available() -> bool:
    """Are both binaries on this machine?"""
    return bool(shutil.which(ffmpeg_binary()) and shutil.which(ffprobe_binary()))


def _tail(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return text.strip()[-STDERR_TAIL_CHARS:]


def _input_options(demuxers: tuple[str, ...] | None) -> list[str]:
    options = ["-protocol_whitelist", "file"]
    if demuxers:
        options += ["-format_whitelist", ",".join(demuxers)]
    return options


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list") or ():
        if "rotation" in side:
            try:
                return int(float(side["rotation"]))
            except (TypeError, ValueError):
                return 0
    try:
        return int(float((stream.get("tags") or {}).get("rotate", 0)))
    except (TypeError, ValueError):
        return 0


def probe(path: str | Path, *, demuxers: tuple[str, ...] | None = None,
          timeout: float = 60) -> ProbeResult:
    """Describe a local media file; raise FFmpegError if ffprobe cannot read it."""
    command = [ffprobe_binary(), "-v", "error", *_input_options(demuxers),
               "-show_format", "-show_streams", "-of", "json", str(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise FFmpegError("ffprobe timed out", _tail(exc.stderr or b"")) from None
    if done.returncode != 0:
        raise FFmpegError("ffprobe could not read the file", _tail(done.stderr))
    try:
        data = json.loads(done.stdout or b"{}")
    except ValueError:
        raise FFmpegError("ffprobe printed no JSON", _tail(done.stderr)) from None
    streams = data.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not (s.get("disposition") or {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    fmt = data.get("format") or {}
    duration = _float(fmt.get("duration"))
    if duration is None:
        duration = max((d for d in (_float(s.get("duration")) for s in streams) if d),
                       default=None)
    width = height = None
    if video is not None:
        width, height = video.get("width"), video.get("height")
        if width and height and abs(_rotation(video)) % 180 == 90:
            width, height = height, width
    return ProbeResult(
        format_name=fmt.get("format_name", ""), duration=duration,
        video_codec=video.get("codec_name") if video else None,
        audio_codec=audio.get("codec_name") if audio else None,
        width=width, height=height,
        video_profile=video.get("profile") if video else None,
        pix_fmt=video.get("pix_fmt") if video else None,
    )


def _float(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def run_with_progress(args: list[str], *, duration: float | None,
                      on_progress: Callable[[float], None] | None = None,
                      timeout: float = 3600) -> None:
    """Run ``ffmpeg <args>`` and call ``on_progress(fraction)`` as output time advances.

    ``args`` are everything after the binary (inputs, filters, outputs); the progress and
    log options are added here. Raise FFmpegError (with the stderr tail) on failure.
    """
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-v", "warning", "-y",
               "-progress", "pipe:1", "-nostats",
               "-stats_period", f"{PROGRESS_PERIOD_SECONDS:g}", *args]
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            process.kill()

        watchdog = threading.Timer(timeout, kill)
        watchdog.start()
        try:
            for raw in process.stdout:
                key, _, value = raw.decode("ascii", "replace").strip().partition("=")
                if key in ("out_time_ms", "out_time_us") and duration and on_progress:
                    try:  # both are microseconds, whatever the name says
                        seconds = int(value) / 1_000_000
                    except ValueError:
                        continue
                    on_progress(min(max(seconds / duration, 0.0), 1.0))
                elif key == "progress" and value == "end" and on_progress:
                    on_progress(1.0)
            returncode = process.wait()
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        stderr.seek(0)
        tail = _tail(stderr.read()[-8 * STDERR_TAIL_CHARS:])
    if timed_out.is_set():
        raise FFmpegError("ffmpeg timed out", tail)
    if returncode != 0:
        raise FFmpegError(f"ffmpeg exited with status {returncode}", tail)


def run(args: list[str], *, timeout: float = 300) -> None:
    """Run ``ffmpeg <args>`` without progress reporting."""
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-v", "warning", "-y", *args]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise FFmpegError("ffmpeg timed out", _tail(exc.stderr or b"")) from None
    if done.returncode != 0:
        raise FFmpegError(f"ffmpeg exited with status {done.returncode}", _tail(done.stderr))


# --- Command lines ------------------------------------------------------------------------

# ≤ 720p whichever way the picture stands (the short side at most 720), aspect kept, both
# sides even (yuv420p needs it); ffmpeg has already applied any rotation before the filter.
SCALE_720P = ("scale=w='if(gte(iw,ih),-2,min(720,trunc(iw/2)*2))'"
              ":h='if(gte(iw,ih),min(720,trunc(ih/2)*2),-2)',setsar=1,format=yuv420p")
HLS_SEGMENT_SECONDS = 6


def video_mp4_args(source: str | Path, target: str | Path, *, has_audio: bool,
                   demuxers: tuple[str, ...] = VIDEO_DEMUXERS) -> list[str]:
    """A progressive MP4 for phones: H.264 main profile, yuv420p, ≤ 720p, AAC 128k,
    the index at the front (+faststart), a key frame every 6 s so HLS can copy it."""
    args = [*_input_options(demuxers), "-i", str(source), "-map", "0:v:0"]
    if has_audio:
        args += ["-map", "0:a:0"]
    args += ["-vf", SCALE_720P, "-c:v", "libx264", "-profile:v", "main", "-preset", "veryfast",
             "-crf", "23", "-maxrate", "2500k", "-bufsize", "5000k",
             "-fpsmax", "30",
             "-force_key_frames", f"expr:gte(t,n_forced*{HLS_SEGMENT_SECONDS})"]
    if has_audio:
        args += ["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "44100"]
    args += ["-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", str(target)]
    return args


def audio_m4a_args(source: str | Path, target: str | Path,
                   demuxers: tuple[str, ...] = AUDIO_DEMUXERS) -> list[str]:
    return [*_input_options(demuxers), "-i", str(source), "-map", "0:a:0", "-vn",
            "-c:a", "aac", "-b:a", "96k", "-ac", "2", "-ar", "44100", "-map_metadata", "-1",
            "-movflags", "+faststart", "-f", "mp4", str(target)]


def hls_args(source: str | Path, folder: str | Path, *, audio_only: bool = False) -> list[str]:
    """Cut an already-encoded MP4/M4A into an HLS VOD rendition without re-encoding."""
    folder = Path(folder)
    return [*_input_options(("mov", "mp4")), "-i", str(source), "-c", "copy",
            *(["-vn"] if audio_only else []), "-f", "hls",
            "-hls_time", str(HLS_SEGMENT_SECONDS), "-hls_playlist_type", "vod",
            "-hls_segment_filename", str(folder / "seg_%05d.ts"), str(folder / "index.m3u8")]


def poster_args(source: str | Path, target: str | Path, *, at: float) -> list[str]:
    return [*_input_options(("mov", "mp4")), "-ss", f"{at:.3f}", "-i", str(source),
            "-frames:v", "1", "-q:v", "3", "-f", "image2", str(target)]
