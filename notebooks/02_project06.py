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
# # Đề án 06: căn cước, định danh điện tử mức 2, lưu trú và camera
#
# Sổ tay này cho biết, tại ngày số liệu:
#
# 1. tỷ lệ nhân khẩu đã có thẻ căn cước theo nhóm tuổi (dưới 6 tuổi, từ 6 đến dưới 14 tuổi: không
#    bắt buộc; từ 14 tuổi trở lên: bắt buộc), toàn tỉnh và từng xã, phường;
# 2. tỷ lệ người từ 14 tuổi trở lên có tài khoản định danh điện tử VNeID mức 2;
# 3. số cơ sở lưu trú thông báo lưu trú trên nền tảng;
# 4. số xã, phường có camera an ninh kết nối về trung tâm giám sát.
#
# Số người từ 1 đến 4 của một xã, phường hiển thị là "<5".

# %% tags=["parameters"]
landing_dir = None  # thư mục landing; None: theo cấu hình ANTT_DATA_DIR
as_of = None  # ngày số liệu "YYYY-MM-DD"; None: hôm nay (giờ Việt Nam)
province_code = None  # mã tỉnh; None: theo cấu hình (92: Cần Thơ)
year = None  # không dùng trong sổ tay này: các chỉ số tính tại ngày as_of

# %%
import plotly.express as px
import polars as pl

import warehouse
from warehouse.notebook import AGE_BAND_LABELS, Column, emit_summary, open_session, show
from warehouse.vietnamese import format_count, format_date, format_int, format_pct

session = open_session(landing_dir, as_of=as_of, province_code=province_code)
coverage = session.named(warehouse.indicator("ind_project06_coverage", con=session.con))
cameras = session.named(warehouse.indicator("ind_camera_coverage", con=session.con))
lodging = session.named(warehouse.indicator("ind_lodging_platform", con=session.con))
print(f"Số liệu đến ngày {format_date(session.as_of)}, {session.province_name}.")

# %% [markdown]
# ## Thẻ căn cước theo nhóm tuổi, toàn tỉnh

# %%
province_bands = coverage.filter(pl.col("ward_code").is_null())
show(
    province_bands,
    [
        Column("age_band", "Nhóm tuổi", labels=AGE_BAND_LABELS),
        Column("residents", "Nhân khẩu", "count"),
        Column("with_id_card", "Đã có căn cước", "count"),
        Column("id_card_pct", "Tỷ lệ có căn cước", "pct"),
        Column("vneid_level2_pct", "Tỷ lệ VNeID mức 2 (từ 14 tuổi)", "pct"),
    ],
)
everyone = province_bands.filter(pl.col("age_band") == "all").row(0, named=True)
print(
    f"VNeID mức 2: {format_pct(everyone['vneid_level2_pct'])} người từ 14 tuổi trở lên; "
    f"{format_count(everyone['vneid_level2'])} tài khoản."
)

# %% [markdown]
# ## Thẻ căn cước theo xã, phường
#
# Nhóm từ 14 tuổi trở lên (bắt buộc có căn cước), xếp theo tỷ lệ thấp nhất trước.

# %%
adults = coverage.filter(pl.col("ward_code").is_not_null() & (pl.col("age_band") == "14_plus"))
adults = adults.sort("id_card_pct", nulls_last=True)
show(
    adults,
    [
        Column("ward_name", "Xã, phường"),
        Column("residents", "Nhân khẩu từ 14 tuổi", "count"),
        Column("with_id_card", "Đã có căn cước", "count"),
        Column("id_card_pct", "Tỷ lệ có căn cước", "pct"),
        Column("vneid_level2_pct", "Tỷ lệ VNeID mức 2", "pct"),
    ],
)
px.bar(
    coverage.filter(pl.col("ward_code").is_null() & (pl.col("age_band") != "all"))
    .with_columns(pl.col("age_band").replace_strict(AGE_BAND_LABELS).alias("Nhóm tuổi"))
    .select("Nhóm tuổi", pl.col("id_card_pct").cast(pl.Float64).alias("Tỷ lệ có căn cước (%)")),
    x="Nhóm tuổi",
    y="Tỷ lệ có căn cước (%)",
    title=f"Tỷ lệ có thẻ căn cước theo nhóm tuổi, {session.province_name}",
    range_y=[0, 100],
).update_layout(separators=",.")

# %% [markdown]
# ## Lưu trú trên nền tảng và camera an ninh kết nối

# %%
lodging_province = lodging.filter(pl.col("ward_code").is_null()).row(0, named=True)
camera_province = cameras.filter(pl.col("ward_code").is_null()).row(0, named=True)
print(
    f"- {format_int(lodging_province['on_platform'])}/"
    f"{format_int(lodging_province['facilities'])} cơ sở lưu trú thông báo trên nền tảng "
    f"({format_pct(lodging_province['on_platform_pct'])});\n"
    f"- {format_int(camera_province['wards_with_connected_camera'])}/"
    f"{format_int(camera_province['wards'])} xã, phường có camera an ninh kết nối "
    f"({format_pct(camera_province['connected_ward_pct'])}), "
    f"{format_int(camera_province['connected_cameras'])}/{format_int(camera_province['cameras'])}"
    " camera đang hoạt động đã kết nối."
)
facilities = lodging.join(
    cameras.select("ward_code", "cameras", "connected_cameras", "has_connected_camera"),
    on="ward_code",
).sort("ward_name")
show(
    facilities,
    [
        Column("ward_name", "Xã, phường"),
        Column("facilities", "Cơ sở lưu trú", "int"),
        Column("on_platform", "Trên nền tảng", "int"),
        Column("on_platform_pct", "Tỷ lệ trên nền tảng", "pct"),
        Column("cameras", "Camera hoạt động", "int"),
        Column("connected_cameras", "Camera kết nối", "int"),
        Column("has_connected_camera", "Có camera kết nối", "yes_no"),
    ],
)

# %% [markdown]
# ## Tóm tắt
#
# Các số liệu chính của sổ tay, dạng máy đọc được (kiểm thử tự động so sánh chúng với chỉ số của
# kho dữ liệu).

# %%
emit_summary(
    "project06",
    {
        "as_of": session.as_of,
        "id_card_pct": dict(
            zip(province_bands["age_band"], province_bands["id_card_pct"], strict=True)
        ),
        "vneid_level2_pct": everyone["vneid_level2_pct"],
        "facilities": lodging_province["facilities"],
        "on_platform": lodging_province["on_platform"],
        "wards": camera_province["wards"],
        "wards_with_connected_camera": camera_province["wards_with_connected_camera"],
    },
)
