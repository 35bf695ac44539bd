"""The links SEEN sends back for a rendered video, derived from a seed so tests can predict them."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class VideoLinks:
    landing_page_url: str
    video_url: str
    thumbnail_url: str
    email_thumbnail_url: str

    def to_dict(self) -> dict[str, str]:
        return {
            "landing_page_url": self.landing_page_url,
            "video_url": self.video_url,
            "thumbnail_url": self.thumbnail_url,
            "email_thumbnail_url": self.email_thumbnail_url,
        }


def video_links(
    seed: str,
    campaign_slug: str,
    receiver_id: int,
    *,
    landing_page_template: str = "https://play.seen.io/v/{code}/",
    media_base_url: str = "https://motions.seen.io",
) -> VideoLinks:
    """The links of receiver `receiver_id` of `campaign_slug`, the same for the same inputs.

    Formats are the ones seen in the wild: `https://play.seen.io/v/9aiNN/` and
    `https://motions.seen.io/<uuid4>/<40 hex>/output.m3u8`, thumbnails in the same folder.
    """
    digest = hashlib.sha256(f"{seed}\x00{campaign_slug}\x00{receiver_id}".encode()).digest()
    folder_id = uuid.UUID(bytes=digest[:16], version=4)
    render_hash = hashlib.sha1(digest, usedforsecurity=False).hexdigest()
    number = int.from_bytes(digest[16:24], "big")
    code = "".join(_BASE62[(number // 62**i) % 62] for i in range(5))
    landing = landing_page_template.format(
        code=code,
        number=10000 + int.from_bytes(digest[24:28], "big") % 90000,
        id=receiver_id,
        slug=campaign_slug,
    )
    folder = f"{media_base_url.rstrip('/')}/{folder_id}/{render_hash}"
    return VideoLinks(
        landing_page_url=landing,
        video_url=f"{folder}/output.m3u8",
        thumbnail_url=f"{folder}/thumbnail.jpg",
        email_thumbnail_url=f"{folder}/email_thumbnail.jpg",
    )
