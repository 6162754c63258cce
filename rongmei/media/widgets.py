"""Chooser widgets (and StreamField blocks) for the newsroom's media foreign keys::

    from rongmei.media.widgets import AudioChooser, VideoChooser

    FieldPanel("video", widget=VideoChooser)   # ForeignKey("media.MediaAsset", limit_choices_to={"kind": "video"})
    FieldPanel("audio", widget=AudioChooser)   # … {"kind": "audio"}

and ``VideoChooserBlock()`` / ``AudioChooserBlock()`` inside a StreamField.
"""

from .choosers import audio_chooser_viewset, video_chooser_viewset

VideoChooser = type("VideoChooser", (video_chooser_viewset.widget_class,), {})
AudioChooser = type("AudioChooser", (audio_chooser_viewset.widget_class,), {})
VideoChooserBlock = video_chooser_viewset.get_block_class(
    name="VideoChooserBlock", module_path="rongmei.media.widgets")
AudioChooserBlock = audio_chooser_viewset.get_block_class(
    name="AudioChooserBlock", module_path="rongmei.media.widgets")

__all__ = ["AudioChooser", "AudioChooserBlock", "VideoChooser", "VideoChooserBlock"]
