"""The offline data-quality report: one self-contained HTML page rendered from stored results.

GX's own Data Docs load CSS and scripts from CDNs, which a leadership laptop or an air-gapped
site cannot reach; this page has its styles inline and no external resource at all. It reads
the run back from ``stg_dq_results``, so it shows what was stored, not what was in memory.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Final

import duckdb

from warehouse.api import LOCAL_TZ
from warehouse.vietnamese import format_datetime, format_int

__all__ = ["REPORT_NAME", "write_report"]

REPORT_NAME: Final = "index.html"
_SEVERITY: Final = {"critical": "nghiêm trọng", "warning": "cảnh báo", "info": "thông tin"}
_CHECKS: Final = {
    "column_present": "Có cột",
    "column_type": "Kiểu dữ liệu",
    "key_not_null": "Khóa không rỗng",
    "key_unique": "Khóa duy nhất theo độ chi tiết",
    "not_null": "Không rỗng",
    "pseudonym_format": "Định danh đã bí danh hóa",
    "raw_identifier": "Không lộ số định danh, điện thoại, biển số",
    "ward_known": "Mã xã/phường có trong danh mục",
    "in_contract": "Giá trị thuộc hợp đồng sự kiện",
    "instant_range": "Thời điểm hợp lý",
    "birth_date_range": "Ngày sinh hợp lý",
    "count_range": "Số đếm không âm",
    "percentage_range": "Tỷ lệ trong 0–100%",
    "change_range": "Mức thay đổi ≥ −100%",
    "at_least": "Quan hệ lớn hơn hoặc bằng",
    "has_rows": "Có dữ liệu",
    "reconciles": "Số liệu khớp giữa các tầng",
    "fresh": "Dữ liệu mới",
    "landed_once": "Mỗi bản tin chỉ ghi một lần",
}
_STYLE: Final = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1d2733}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f7}.fail{background:#fde8e8}.ok{color:#1a7f37}.bad{color:#b42318;font-weight:600}
.num{text-align:right}.summary{font-size:1.05rem}
"""


def write_report(con: duckdb.DuckDBPyConnection, run_id: str, docs_dir: Path) -> Path:
    """Render run ``run_id`` to ``docs_dir/index.html`` and return the page's path."""
    relation = con.sql(
        "select suite, check_name, column_name, severity, success, observed_value, "
        "unexpected_count, expectation, run_at from stg_dq_results where run_id = ? "
        "order by suite, success, check_name, column_name",
        params=[run_id],
    )
    columns = relation.columns
    rows = [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
    docs_dir.mkdir(parents=True, exist_ok=True)
    path = docs_dir / REPORT_NAME
    path.write_text(_page(run_id, rows), encoding="utf-8")
    return path


def _page(run_id: str, rows: list[dict[str, Any]]) -> str:
    failed = [r for r in rows if not r["success"]]
    critical = [r for r in failed if r["severity"] == "critical"]
    run_at = rows[0]["run_at"].astimezone(LOCAL_TZ) if rows else None
    verdict = (
        '<span class="ok">Đạt: mọi kỳ vọng nghiêm trọng đều thỏa mãn</span>'
        if not critical
        else f'<span class="bad">Không đạt: {format_int(len(critical))} kỳ vọng nghiêm trọng '
        "không thỏa mãn</span>"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        "<title>Báo cáo chất lượng dữ liệu</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Báo cáo chất lượng dữ liệu</h1>",
        f'<p class="summary">Lần kiểm tra <code>{html.escape(run_id)}</code>, lúc '
        f"{format_datetime(run_at)} (giờ Việt Nam). {verdict}.</p>",
        f"<p>{format_int(len(rows) - len(failed))} trên {format_int(len(rows))} kỳ vọng đạt; "
        f"{format_int(len(failed))} không đạt.</p>",
        "<h2>Tổng hợp theo bộ kiểm tra</h2>",
        _summary_table(rows),
    ]
    if failed:
        parts += ["<h2>Các kỳ vọng không đạt</h2>", _detail_table(failed)]
    parts += ["<h2>Chi tiết mọi kỳ vọng</h2>", _detail_table(rows), "</body></html>"]
    return "\n".join(parts)


def _summary_table(rows: list[dict[str, Any]]) -> str:
    suites: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        suites.setdefault(row["suite"], []).append(row)
    body = []
    for suite, items in suites.items():
        passed = sum(bool(r["success"]) for r in items)
        critical = sum(not r["success"] and r["severity"] == "critical" for r in items)
        css = ' class="fail"' if passed < len(items) else ""
        body.append(
            f"<tr{css}><td>{html.escape(suite)}</td><td class='num'>{format_int(passed)}</td>"
            f"<td class='num'>{format_int(len(items))}</td>"
            f"<td class='num'>{format_int(critical)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Bộ kiểm tra</th><th>Đạt</th><th>Tổng số</th>"
        "<th>Lỗi nghiêm trọng</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>"
    )


def _detail_table(rows: list[dict[str, Any]]) -> str:
    body = []
    for r in rows:
        css = "" if r["success"] else ' class="fail"'
        outcome = "Đạt" if r["success"] else "Không đạt"
        cells = [
            r["suite"],
            _CHECKS.get(r["check_name"], r["check_name"]),
            r["column_name"] or "—",
            _SEVERITY.get(r["severity"], r["severity"]),
            outcome,
            r["observed_value"] or "—",
            format_int(r["unexpected_count"]),
            r["expectation"],
        ]
        body.append(f"<tr{css}>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells))
    return (
        "<table><thead><tr><th>Bộ kiểm tra</th><th>Nội dung kiểm tra</th><th>Cột</th>"
        "<th>Mức độ</th><th>Kết quả</th><th>Giá trị quan sát</th><th>Số bản ghi lỗi</th>"
        "<th>Kỳ vọng (Great Expectations)</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )
