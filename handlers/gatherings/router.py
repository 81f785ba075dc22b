"""The sign-up router. Its routes are registered by the modules ``handlers/gatherings/__init__.py``
imports, in order of precedence: card buttons, "报名 培训N" / "报名 活动N" texts, then the
organisers' commands (名单, 取消, /签到)."""

from bot.dispatcher import Router

router = Router("gatherings")
