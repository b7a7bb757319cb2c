"""Leaderboards: boards a game's admin creates (player or generic, ascending or descending, overwrite or keep
the best, metadata, schedules and rewards) and the scores its players submit, ranked by the store's
order-statistic tree (store.Rankings) so that a rank or a page never reads the members before it.

Modules: ranking (scores → sort keys, the tie rule), cron (a schedule's next runs), model (the rules, in
store transactions), game (the Game API handlers). The Admin API side is mockserver/lootlocker/admin/leaderboards.py.
"""
