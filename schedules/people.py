"""The people domain has no sweeps of its own (retirements are 精密关注's, in ``schedules.care``).

The directory sync (通讯录) is not a sweep: sweeps run once per branch with a branch-scoped session
and no WeCom client, while the sync reads WeCom and writes every branch. It runs as a job of its own
in the app's scheduler (``bot.app.directory_sync_job`` nightly, ``bot.app.directory_changes_job`` for
``change_contact`` events), calling ``handlers.people.directory`` and ``handlers.people.contacts``.
"""

SWEEPS = ()
