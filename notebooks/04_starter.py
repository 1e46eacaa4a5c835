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
# # Sổ tay khởi đầu: tự đặt câu hỏi cho kho dữ liệu
#
# Sao chép sổ tay này khi cần trả lời một câu hỏi mới. Nó chỉ ra hai cách đọc kho dữ liệu:
#
# - bằng **SQL** (DuckDB): `session.con.sql("SELECT ...")`;
# - bằng **polars**: `warehouse.indicator("ind_...")` trả về một DataFrame.
#
# Kho dữ liệu là một DuckDB trong bộ nhớ, đọc trực tiếp các tệp Parquet của vùng landing: không
# khóa luồng xử lý, số liệu mới có ngay ở truy vấn sau. Các bảng có sẵn:
#
# | tầng | tên | nội dung |
# |---|---|---|
# | chỉ số | `ind_*` | chỉ số báo cáo lãnh đạo: tội phạm, 19.2, Đề án 06, camera, lưu trú |
# | bảng dữ liệu | `fct_*`, `dim_*` | sự việc, lưu trú, nhân khẩu; danh mục xã, camera, cơ sở |
# | bảng gốc | `stg_*` | từng luồng dữ liệu sau khi làm sạch, đã bí danh hóa |
#
# Số định danh, họ tên, số điện thoại, biển số không bao giờ có trong kho: người được nhận diện
# bằng bí danh (mã băm có khóa), giống nhau ở mọi luồng.

# %% tags=["parameters"]
landing_dir = None  # thư mục landing; None: theo cấu hình ANTT_DATA_DIR
as_of = None  # ngày số liệu "YYYY-MM-DD"; None: hôm nay (giờ Việt Nam)
province_code = None  # mã tỉnh; None: theo cấu hình (92: Cần Thơ)
year = None  # năm báo cáo cho các ví dụ; None: năm báo cáo chứa ngày as_of

# %%
import polars as pl

import warehouse
from warehouse.notebook import Column, emit_summary, open_session, show
from warehouse.vietnamese import format_date, format_int

session = open_session(landing_dir, as_of=as_of, province_code=province_code)
print(f"Số liệu đến ngày {format_date(session.as_of)}, {session.province_name}.")

# %% [markdown]
# ## Danh sách bảng và chỉ số
#
# Mỗi bảng ghi rõ "grain" (một dòng là gì) ở đầu tệp SQL của nó trong `warehouse/sql/`.

# %%
views = session.con.sql(
    "SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary ORDER BY view_name"
).pl()
print(", ".join(views["view_name"]))

# %% [markdown]
# ## Cách 1: SQL
#
# Biến `as_of` và `province_code` của kết nối đã được đặt theo ô tham số; các chỉ số dùng chúng.
# Ví dụ: số vụ phạm tội về trật tự xã hội của từng xã, phường trong năm báo cáo, kèm tên xã, phường.

# %%
year_rows = session.con.sql(
    """
    SELECT
        periods.ward_code,
        dim_wards.ward_name,
        periods.period_year, periods.crimes, periods.crimes_per_100k
    FROM ind_crime_periods AS periods
    INNER JOIN dim_wards USING (ward_code)
    WHERE periods.period_kind = 'year'
      AND periods.period_year = coalesce(?, (
          SELECT max(period_year) FROM ind_crime_periods WHERE period_kind = 'year'
      ))
    ORDER BY periods.crimes DESC, dim_wards.ward_name
    """,
    params=[year],
).pl()
show(
    year_rows.head(10),
    [
        Column("ward_name", "Xã, phường"),
        Column("period_year", "Năm báo cáo"),
        Column("crimes", "Số vụ", "int"),
        Column("crimes_per_100k", "Số vụ trên 100.000 dân", "decimal"),
    ],
)

# %% [markdown]
# ## Cách 2: polars
#
# `warehouse.indicator` trả về một DataFrame polars (dòng toàn tỉnh, `ward_code` rỗng, đứng đầu).
# `session.named(...)` thêm cột `ward_name` (tên xã, phường; dòng toàn tỉnh mang tên tỉnh), và
# `session.wards` là danh mục xã, phường của tỉnh để tự nối bảng.

# %%
cameras = warehouse.indicator("ind_camera_coverage", con=session.con)
lodging = warehouse.indicator("ind_lodging_platform", con=session.con)
per_ward = (
    session.wards.join(cameras, on="ward_code")
    .join(lodging, on="ward_code")
    .select("ward_name", "cameras", "connected_cameras", "facilities", "on_platform")
    .sort("facilities", descending=True)
)
show(
    per_ward.head(10),
    [
        Column("ward_name", "Xã, phường"),
        Column("cameras", "Camera hoạt động", "int"),
        Column("connected_cameras", "Camera kết nối", "int"),
        Column("facilities", "Cơ sở lưu trú", "int"),
        Column("on_platform", "Trên nền tảng", "int"),
    ],
)

# %% [markdown]
# ## Cùng một con số, hai cách
#
# Tổng số camera đang hoạt động của tỉnh: cộng các xã, phường bằng SQL và bằng polars phải bằng
# dòng toàn tỉnh của chỉ số.

# %%
[(sql_cameras,)] = session.con.sql(
    "SELECT sum(cameras)::BIGINT FROM ind_camera_coverage WHERE ward_code IS NOT NULL"
).fetchall()
polars_cameras = int(per_ward["cameras"].sum())
province_cameras = cameras.filter(pl.col("ward_code").is_null())["cameras"][0]
print(
    f"SQL: {format_int(sql_cameras)} camera; polars: {format_int(polars_cameras)} camera; "
    f"dòng toàn tỉnh: {format_int(province_cameras)} camera."
)

# %% [markdown]
# ## Tóm tắt
#
# Dạng máy đọc được (kiểm thử tự động so sánh với chỉ số của kho dữ liệu).

# %%
emit_summary(
    "starter",
    {
        "as_of": session.as_of,
        "views": views.height,
        "sql_cameras": sql_cameras,
        "polars_cameras": polars_cameras,
        "province_cameras": province_cameras,
        "ward_crimes": dict(zip(year_rows["ward_code"], year_rows["crimes"], strict=True)),
    },
)
