# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Vận hành: luồng dữ liệu, cảnh báo, bản ghi bị loại và chất lượng dữ liệu
#
# Sổ tay dành cho cán bộ vận hành nền tảng:
#
# 1. mỗi luồng dữ liệu (camera, lưu trú, tin báo, dân cư) nhận bao nhiêu sự kiện mỗi ngày;
# 2. bao nhiêu cảnh báo đối tượng trong danh sách theo dõi;
# 3. bao nhiêu bản ghi bị loại, theo mã lý do (bản gốc chỉ nằm ở topic `deadletter`, dành cho
#    vận hành viên, không có trong kho dữ liệu phân tích);
# 4. số liệu mới đến đâu (độ trễ của từng luồng);
# 5. kết quả lần kiểm tra chất lượng dữ liệu gần nhất (`antt dq run`).
#
# Ngày tính theo giờ Việt Nam, theo thời điểm xảy ra sự kiện (tin báo: thời điểm tiếp nhận).

# %% tags=["parameters"]
landing_dir = None  # thư mục landing; None: theo cấu hình ANTT_DATA_DIR
as_of = None  # ngày số liệu "YYYY-MM-DD"; None: hôm nay (giờ Việt Nam)
province_code = None  # mã tỉnh; None: theo cấu hình (92: Cần Thơ)
year = None  # không dùng trong sổ tay này
days = 30  # số ngày gần nhất (kết thúc ở as_of) cho các biểu đồ theo ngày

# %%
import datetime as dt

import plotly.express as px
import polars as pl

from warehouse.notebook import FEED_LABELS, Column, emit_summary, open_session, show

SEVERITY_LABELS = {"critical": "nghiêm trọng", "warning": "cảnh báo", "info": "thông tin"}
from warehouse.vietnamese import format_date, format_datetime, format_int

session = open_session(landing_dir, as_of=as_of, province_code=province_code)
first_day = session.as_of - dt.timedelta(days=days - 1)
session.con.execute(
    """
    CREATE OR REPLACE TEMP VIEW feed_events AS
    SELECT source_topic AS feed, observed_at AS event_at, landed_at FROM stg_camera_events
    UNION ALL
    SELECT source_topic, occurred_at, landed_at FROM stg_lodging_checkins
    UNION ALL
    SELECT source_topic, received_at, landed_at FROM stg_incident_reports
    UNION ALL
    SELECT source_topic, occurred_at, landed_at FROM stg_population_updates
    """
).fetchall()
print(
    f"Từ {format_date(first_day)} đến {format_date(session.as_of)} ({days} ngày), "
    f"{session.province_name}."
)

# %% [markdown]
# ## Sự kiện theo luồng và ngày

# %%
daily = session.con.sql(
    """
    SELECT feed, local_date(event_at) AS day, count(*) AS events
    FROM feed_events
    WHERE local_date(event_at) BETWEEN ? AND getvariable('as_of')
    GROUP BY ALL
    ORDER BY day, feed
    """,
    params=[first_day],
).pl()
daily = daily.with_columns(pl.col("feed").replace_strict(FEED_LABELS).alias("feed_name"))
# Every feed is listed: a feed that sent nothing is what an operator must see first.
feed_totals = (
    pl.DataFrame({"feed": list(FEED_LABELS), "feed_name": list(FEED_LABELS.values())})
    .join(daily.group_by("feed").agg(pl.col("events").sum()), on="feed", how="left")
    .with_columns(pl.col("events").fill_null(0))
    .sort("feed")
)
show(
    feed_totals,
    [Column("feed_name", "Luồng dữ liệu"), Column("events", f"Sự kiện trong {days} ngày", "int")],
)
px.line(
    daily.rename({"feed_name": "Luồng dữ liệu", "day": "Ngày", "events": "Số sự kiện"}),
    x="Ngày",
    y="Số sự kiện",
    color="Luồng dữ liệu",
    title=f"Sự kiện mỗi ngày theo luồng dữ liệu, {days} ngày gần nhất",
).update_layout(separators=",.").update_xaxes(tickformat="%d/%m/%Y")

# %% [markdown]
# ## Cảnh báo đối tượng trong danh sách theo dõi

# %%
alerts = session.con.sql(
    """
    SELECT local_date(observed_at) AS day, alert_kind, count(*) AS alerts
    FROM stg_alerts
    WHERE local_date(observed_at) BETWEEN ? AND getvariable('as_of')
    GROUP BY ALL
    ORDER BY day, alert_kind
    """,
    params=[first_day],
).pl()
alert_total = int(alerts["alerts"].sum())
print(f"{format_int(alert_total)} cảnh báo trong {days} ngày.")
if alert_total:
    px.bar(
        alerts.rename({"day": "Ngày", "alerts": "Số cảnh báo", "alert_kind": "Loại"}),
        x="Ngày",
        y="Số cảnh báo",
        color="Loại",
        title=f"Cảnh báo mỗi ngày, {days} ngày gần nhất",
    ).update_layout(separators=",.").update_xaxes(tickformat="%d/%m/%Y").show()

# %% [markdown]
# ## Bản ghi bị loại theo mã lý do
#
# Toàn bộ lịch sử. Một bản ghi có thể bị loại vì nhiều lý do cùng lúc, nên tổng theo mã lý do có
# thể lớn hơn số bản ghi.

# %%
rejected = session.con.sql(
    """
    SELECT source_topic AS feed, reason_code, count(*) AS records
    FROM (SELECT source_topic, unnest(reason_codes) AS reason_code FROM stg_rejected)
    GROUP BY ALL
    ORDER BY records DESC, feed, reason_code
    """
).pl()
show(
    rejected,
    [
        Column("feed", "Luồng dữ liệu", labels=FEED_LABELS),
        Column("reason_code", "Mã lý do"),
        Column("records", "Số bản ghi", "int"),
    ],
)

# %% [markdown]
# ## Độ mới của số liệu
#
# Sự kiện mới nhất của mỗi luồng và lần ghi vào kho gần nhất, theo giờ Việt Nam.

# %%
freshness = session.con.sql(
    """
    SELECT
        feed,
        timezone('Asia/Ho_Chi_Minh', max(event_at)) AS latest_event,
        timezone('Asia/Ho_Chi_Minh', max(landed_at)) AS latest_landing
    FROM feed_events
    GROUP BY feed
    ORDER BY feed
    """
).pl()
for row in freshness.iter_rows(named=True):
    print(
        f"- {FEED_LABELS.get(row['feed'], row['feed'])}: sự kiện mới nhất "
        f"{format_datetime(row['latest_event'])}, ghi vào kho lúc "
        f"{format_datetime(row['latest_landing'])}."
    )

# %% [markdown]
# ## Chất lượng dữ liệu
#
# Kết quả lần chạy gần nhất của `antt dq run` (bảng `stg_dq_results`); các kiểm tra không đạt
# được liệt kê, mức "nghiêm trọng" trước.

# %%
has_dq = session.con.sql(
    "SELECT count(*) FROM duckdb_views() WHERE view_name = 'stg_dq_results'"
).fetchall() == [(1,)]
dq = (
    session.con.sql(
        """
        SELECT
            suite,
            expectation,
            column_name,
            severity,
            success,
            unexpected_count,
            timezone('Asia/Ho_Chi_Minh', run_at) AS run_at
        FROM stg_dq_results
        WHERE is_latest_run
        ORDER BY success, severity <> 'critical', suite, expectation
        """
    ).pl()
    if has_dq
    else pl.DataFrame()
)
dq_failed = dq.filter(pl.col("success").not_()) if not dq.is_empty() else dq
if dq.is_empty():
    print("Chưa chạy kiểm tra chất lượng dữ liệu (lệnh `antt dq run`).")
else:
    print(
        f"Lần kiểm tra gần nhất {format_datetime(dq['run_at'].max())}: "
        f"{format_int(dq.height - dq_failed.height)}/{format_int(dq.height)} kiểm tra đạt."
    )
    # `antt dq run` and `make demo` write the offline report beside the landing zone.
    report = session.landing_dir.parent / "dq-docs" / "index.html"
    if report.is_file():
        print(f"Báo cáo chi tiết (mở được khi không có mạng): {report.resolve().as_uri()}")
    show(
        dq_failed,
        [
            Column("suite", "Bộ kiểm tra"),
            Column("expectation", "Kiểm tra"),
            Column("column_name", "Cột"),
            Column("severity", "Mức độ", labels=SEVERITY_LABELS),
            Column("unexpected_count", "Số giá trị sai", "int"),
        ],
    )

# %% [markdown]
# ## Tóm tắt
#
# Các số liệu chính của sổ tay, dạng máy đọc được (kiểm thử tự động so sánh chúng với kho dữ
# liệu).

# %%
emit_summary(
    "operations",
    {
        "as_of": session.as_of,
        "first_day": first_day,
        "events": dict(zip(feed_totals["feed"], feed_totals["events"], strict=True)),
        "alerts": alert_total,
        "rejected": {
            f"{row['feed']}/{row['reason_code']}": row["records"]
            for row in rejected.iter_rows(named=True)
        },
        "dq_checks": dq.height,
        "dq_failed": dq_failed.height,
    },
)
