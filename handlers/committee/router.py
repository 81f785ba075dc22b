"""The committee view's router: /支部 (every branch, or one) and /争先 (支部争先), for committee officers only.

Committee officers (``Person.committee``) belong to a branch like anyone else and use its commands
by their role there; these commands are theirs alone (``roles=(COMMITTEE,)``) and read every branch.
"""

from bot.dispatcher import Router

router = Router("committee")
