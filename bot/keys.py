"""Typed application keys: the app's resources, created in cleanup contexts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.gate import IdleGate
from bot.wecom.crypto import WeComCrypto
from storage.db import Database
from storage.inbox import InboxWriter

if TYPE_CHECKING:
    from bot.processor import Processor
    from bot.sender import Sender
    from bot.services import Services
    from bot.wecom.token import TokenCache

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", object)  # Clock
CRYPTO = web.AppKey("crypto", WeComCrypto)
GATE = web.AppKey("gate", IdleGate)
DB = web.AppKey("db", Database)
HTTP = web.AppKey("http", aiohttp.ClientSession)
WRITER = web.AppKey("writer", InboxWriter)
TOKENS: web.AppKey[TokenCache] = web.AppKey("tokens")
SENDER: web.AppKey[Sender] = web.AppKey("sender")
PROCESSOR: web.AppKey[Processor] = web.AppKey("processor")
SERVICES: web.AppKey[Services] = web.AppKey("services")
