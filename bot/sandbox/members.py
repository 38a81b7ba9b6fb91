"""ChatMember objects as Telegram sends them: every field the status requires (Bot API 9.6).

python-telegram-bot 22.8 rejects a member that lacks one (a "kicked" member without until_date,
a "restricted" one without its permissions), so everything the sandbox emits goes through here.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
_RESTRICTED_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


def chat_member(status: str, user: JSON, *, until_date: int = 0) -> JSON:
    """A ChatMember of `status` for `user`; until_date 0 means forever (kicked, restricted)."""
    if status not in STATUSES:
        raise ValueError(f"unknown chat member status {status!r}")
    member: JSON = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False)
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "restricted":
        # a muted member: still in the chat, may read but not write
        member["is_member"] = True
        member.update(dict.fromkeys(_RESTRICTED_RIGHTS, False))
        member["until_date"] = until_date
    elif status == "kicked":
        member["until_date"] = until_date
    return member
