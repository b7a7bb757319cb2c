"""Reports, UGC removal and error reports of a game environment through the Admin API
(mockserver/lootlocker/reports.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...routing import Call, Handler, Reply
from .. import reports

if TYPE_CHECKING:
    from .routes import Admin


def handlers(admin: Admin) -> dict[str, Handler]:
    game_id = admin.game_id

    def remove(call: Call) -> Reply:
        with admin.store.write() as tx:
            return Reply(200, reports.remove_ugc(tx, game_id(call), call.body["asset_id"], call.body["report_types"]))

    def add_type(call: Call) -> Reply:
        with admin.store.write() as tx:
            return Reply(200, reports.add_type(tx, game_id(call), str(call.body["text"])))

    def delete_type(call: Call) -> Reply:
        with admin.store.write() as tx:
            reports.delete_type(tx, game_id(call), call.path["type_id"])
        return Reply(204)

    return {
        "adminListReportTypes": lambda call: Reply(
            200, {"types": reports.report_types(admin.store.read(), game_id(call))}
        ),
        "adminAddReportType": add_type,
        "adminDeleteReportType": delete_type,
        "adminListReports": lambda call: Reply(
            200, {"reports": reports.admin_reports(admin.store.read(), game_id(call))}
        ),
        "adminRemoveUgc": remove,
        "adminListErrorReports": lambda call: Reply(
            200, {"error_reports": reports.error_reports(admin.store.read(), game_id(call))}
        ),
    }
