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
# # Tội phạm về trật tự xã hội và tiêu chí 19.2 theo xã, phường
#
# Sổ tay này trả lời ba câu hỏi cho kỳ báo cáo đang xét:
#
# 1. Toàn tỉnh có bao nhiêu vụ phạm tội về trật tự xã hội, **so với cùng kỳ** tăng hay giảm, tỷ lệ
#    khám phá bao nhiêu, và bao nhiêu vụ trên 100.000 dân?
# 2. Từng xã, phường ra sao, xã, phường nào đạt chỉ tiêu giảm ít nhất 5%?
# 3. Xã, phường nào không đạt tiêu chí 19.2 (nông thôn mới) và vì sao?
#
# Kỳ báo cáo theo quy định của ngành: năm báo cáo tính từ 15/12 năm trước đến 14/12; tháng báo
# cáo từ ngày 15 tháng trước đến ngày 14. Kỳ chưa kết thúc ("tạm tính") được so với cùng các ngày
# của năm trước, không so với cả kỳ.
#
# Chỉ cần sửa ô tham số ngay dưới đây rồi chạy lại toàn bộ sổ tay.

# %% tags=["parameters"]
landing_dir = None  # thư mục landing; None: theo cấu hình ANTT_DATA_DIR
as_of = None  # ngày số liệu "YYYY-MM-DD"; None: hôm nay (giờ Việt Nam)
province_code = None  # mã tỉnh; None: theo cấu hình (92: Cần Thơ)
year = None  # năm báo cáo; None: năm báo cáo chứa ngày as_of

# %%
import plotly.express as px
import polars as pl

import warehouse
from warehouse.notebook import CHECK_LABELS, Column, emit_summary, open_session, show
from warehouse.vietnamese import (
    format_change,
    format_count,
    format_date,
    format_decimal,
    format_int,
    format_pct,
)

session = open_session(landing_dir, as_of=as_of, province_code=province_code)
years = warehouse.indicator("ind_crime_periods", con=session.con, period_kind="year")
if year is None:
    year = years.sort("period_start")["period_year"][-1]
year_rows = session.named(years.filter(pl.col("period_year") == year))
if year_rows.is_empty():
    known = ", ".join(str(y) for y in years["period_year"].unique().sort())
    raise ValueError(f"Không có số liệu năm báo cáo {year}; các năm có số liệu: {known}")
province = year_rows.filter(pl.col("ward_code").is_null()).row(0, named=True)
wards = year_rows.filter(pl.col("ward_code").is_not_null())
print(f"Số liệu đến ngày {format_date(session.as_of)}, {session.province_name}.")

# %% [markdown]
# ## Toàn tỉnh trong năm báo cáo

# %%
state = "tạm tính" if province["is_provisional"] else "đã kết thúc"
print(
    f"{province['period_label'].capitalize()}, {state}, số liệu đến "
    f"{format_date(province['data_through'])}:\n"
    f"- {format_int(province['crimes'])} vụ phạm tội về trật tự xã hội, "
    f"{format_change(province['crimes'], province['prior_crimes'])} so với cùng kỳ;\n"
    f"- tỷ lệ khám phá {format_pct(province['clearance_pct'])} "
    f"({format_int(province['solved'])} vụ);\n"
    f"- {format_decimal(province['crimes_per_100k'])} vụ trên 100.000 dân "
    f"({format_count(province['residents'])} nhân khẩu)."
)

# %% [markdown]
# ## Theo tháng báo cáo, so với cùng kỳ

# %%
months = warehouse.indicator("ind_crime_periods", con=session.con, period_kind="month").filter(
    pl.col("ward_code").is_null() & (pl.col("period_year") == year)
)
show(
    months,
    [
        Column("period_label", "Kỳ báo cáo"),
        Column("crimes", "Số vụ", "int"),
        Column("prior_crimes", "Cùng kỳ năm trước", "int"),
        Column("crimes", "So với cùng kỳ", "change", reference="prior_crimes"),
        Column("clearance_pct", "Tỷ lệ khám phá", "pct"),
    ],
)
monthly = months.select(
    pl.col("period_number").alias("Tháng báo cáo"),
    pl.col("crimes").alias(f"Năm {year}"),
    pl.col("prior_crimes").alias("Cùng kỳ năm trước"),
).unpivot(index="Tháng báo cáo", variable_name="Kỳ", value_name="Số vụ")
px.line(
    monthly,
    x="Tháng báo cáo",
    y="Số vụ",
    color="Kỳ",
    markers=True,
    title=f"Tội phạm về trật tự xã hội theo tháng báo cáo, năm {year}, so với cùng kỳ",
).update_layout(separators=",.")

# %% [markdown]
# ## Theo xã, phường
#
# Xếp theo số vụ trên 100.000 dân, cao nhất trước. "Chưa đánh giá": kỳ chưa kết thúc, hoặc chưa có
# số liệu cùng kỳ để so sánh.

# %%
ranked = wards.sort("crimes_per_100k", descending=True, nulls_last=True)
show(
    ranked,
    [
        Column("ward_name", "Xã, phường"),
        Column("crimes", "Số vụ", "int"),
        Column("crimes", "So với cùng kỳ", "change", reference="prior_crimes"),
        Column("clearance_pct", "Tỷ lệ khám phá", "pct"),
        Column("crimes_per_100k", "Số vụ trên 100.000 dân", "decimal"),
        Column("meets_target", "Chỉ tiêu giảm 5%", "verdict"),
    ],
)
px.bar(
    ranked.head(15).rename({"ward_name": "Xã, phường", "crimes_per_100k": "Vụ/100.000 dân"}),
    x="Xã, phường",
    y="Vụ/100.000 dân",
    title=f"15 xã, phường có tỷ lệ tội phạm trên 100.000 dân cao nhất, năm báo cáo {year}",
).update_layout(separators=",.")

# %% [markdown]
# ## Tiêu chí 19.2: xã, phường không đạt và lý do
#
# Tiêu chí 19.2 (Hướng dẫn 04/HD-BCA-V05) không đạt khi có khiếu kiện đông người, có tội phạm đặc
# biệt nghiêm trọng, hoặc tội phạm về trật tự xã hội, tệ nạn xã hội, tai nạn giao thông tăng so với
# năm trước.

# %%
criterion = session.named(warehouse.indicator("ind_criterion_19_2", con=session.con, year=year))
criterion_province = criterion.filter(pl.col("ward_code").is_null()).row(0, named=True)
failing = criterion.filter(pl.col("passes").not_()).sort("ward_name")
print(
    f"Năm báo cáo {year}: {format_int(criterion_province['wards_passed'])}/"
    f"{format_int(criterion_province['wards'])} xã, phường đạt tiêu chí 19.2 "
    f"({format_pct(criterion_province['wards_passed_pct'])}); "
    f"{format_int(failing.height)} xã, phường không đạt."
)
show(
    failing,
    [
        Column("ward_name", "Xã, phường"),
        Column("failed_checks", "Lý do không đạt", labels=CHECK_LABELS),
        Column("social_order_crimes", "Tội phạm TTXH", "int"),
        Column("prev_social_order_crimes", "Năm trước", "int"),
    ],
)

# %% [markdown]
# ## Tóm tắt
#
# Các số liệu chính của sổ tay, dạng máy đọc được (kiểm thử tự động so sánh chúng với chỉ số của
# kho dữ liệu).

# %%
emit_summary(
    "crime_and_criterion_19_2",
    {
        "as_of": session.as_of,
        "year": year,
        "period_label": province["period_label"],
        "crimes": province["crimes"],
        "prior_crimes": province["prior_crimes"],
        "clearance_pct": province["clearance_pct"],
        "crimes_per_100k": province["crimes_per_100k"],
        "month_crimes": dict(zip(months["period_number"], months["crimes"], strict=True)),
        "wards_passed": criterion_province["wards_passed"],
        "wards": criterion_province["wards"],
        "failed_checks": {
            row["ward_code"]: row["failed_checks"] for row in failing.iter_rows(named=True)
        },
    },
)
