"""Loading events: column mapping, CRS handling (pyproj), time formats and bad files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyproj
import pytest

from regie.anticipation.engine.events import EventFileError, EventSet, load_events_csv
from regie.anticipation.engine.periods import Span
from tests.anticipation import shared_crime_events

SHARED = shared_crime_events()


def write(tmp_path: Path, text: str, name: str = "events.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_rd_new_is_the_default(tmp_path: Path) -> None:
    p = write(tmp_path, "x,y,datum\n136000.5,455000,2024-01-02 10:00\n137000,456000,2024-01-01\n")
    ev = load_events_csv(p, x_col="x", y_col="y", time_col="datum")
    assert ev.crs == "EPSG:28992"
    assert len(ev) == 2
    # Sorted by time.
    assert ev.t[0] == np.datetime64("2024-01-01T00:00:00")
    assert ev.x[0] == 137000.0
    assert ev.resolution == "time"


def test_british_grid_metres(tmp_path: Path) -> None:
    # Essex-like British National Grid coordinates (Chelmsford).
    p = write(tmp_path, "e,n,when\n570800,206900,2018-03-01\n571000,207100,2018-03-02\n")
    ev = load_events_csv(p, x_col="e", y_col="n", time_col="when", crs="EPSG:27700")
    assert ev.crs == "EPSG:27700"
    assert ev.resolution == "day"
    # The same metres read as RD New would lie in the North Sea - refused with the line.
    with pytest.raises(EventFileError, match=r"outside the area of use of EPSG:28992.*line 2"):
        load_events_csv(p, x_col="e", y_col="n", time_col="when")


def test_lon_lat_projected_to_the_given_crs(tmp_path: Path) -> None:
    p = write(tmp_path, "lon,lat,month\n0.4752,51.7356,2018-01\n0.47,51.73,2018-02\n")
    ev = load_events_csv(p, lon_col="lon", lat_col="lat", time_col="month", crs="EPSG:27700")
    want = pyproj.Transformer.from_crs(4326, 27700, always_xy=True).transform(0.4752, 51.7356)
    assert ev.x[0] == pytest.approx(want[0]) and ev.y[0] == pytest.approx(want[1])
    assert ev.resolution == "month"
    assert ev.t[1] == np.datetime64("2018-02-01T00:00:00")
    # Lon/lat of England with the Dutch default: a clear error naming the CRS's area.
    with pytest.raises(EventFileError, match=r"Netherlands.*Is --crs right"):
        load_events_csv(p, lon_col="lon", lat_col="lat", time_col="month")


def test_wgs84_crs_picks_the_local_utm_zone(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "Date,Latitude,Longitude\n04/27/2016 01:44:00 PM,41.7617,-87.6054\n"
        "05/04/2016 02:12:00 PM,41.7762,-87.6034\n",
    )
    ev = load_events_csv(
        p, lon_col="Longitude", lat_col="Latitude", time_col="Date", crs="EPSG:4326"
    )
    assert ev.crs == "EPSG:32616"  # UTM 16N
    assert ev.t[0] == np.datetime64("2016-04-27T13:44:00")
    # x/y columns with a geographic CRS are degrees in that CRS: the same result.
    ev2 = load_events_csv(p, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326")
    assert ev2.crs == "EPSG:32616"
    np.testing.assert_allclose(ev2.x, ev.x)


@pytest.mark.skipif(
    not (SHARED / "chicago_southside_2016_sample.csv").is_file(),
    reason="shared sample data not present",
)
def test_chicago_sample_in_utm() -> None:
    ev = load_events_csv(
        SHARED / "chicago_southside_2016_sample.csv",
        lon_col="Longitude",
        lat_col="Latitude",
        time_col="Date",
        crs="EPSG:32616",
        type_col="Primary Type",
        types=["burglary", "THEFT"],
    )
    assert len(ev) == 78 + 178
    assert ev.types is not None and set(ev.types) == {"BURGLARY", "THEFT"}
    assert ev.period is not None and ev.period[0].year == ev.period[1].year == 2016


def test_degrees_given_as_metres_are_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "x,y,t\n5.12,52.09,2024-01-01\n")
    with pytest.raises(EventFileError, match="look like degrees"):
        load_events_csv(p, x_col="x", y_col="y", time_col="t")


def test_non_metre_and_unknown_crs(tmp_path: Path) -> None:
    p = write(tmp_path, "x,y,t\n1180000,1890000,2024-01-01\n")
    with pytest.raises(EventFileError, match="not in metres"):
        load_events_csv(p, x_col="x", y_col="y", time_col="t", crs="EPSG:3435")  # US feet
    with pytest.raises(EventFileError, match="unknown CRS"):
        load_events_csv(p, x_col="x", y_col="y", time_col="t", crs="EPSG:999999")


def test_missing_column_lists_the_columns(tmp_path: Path) -> None:
    p = write(tmp_path, "x,y,datum\n136000,455000,2024-01-01\n")
    with pytest.raises(EventFileError, match=r"missing column 'tijd' .*it has: x, y, datum"):
        load_events_csv(p, x_col="x", y_col="y", time_col="tijd")
    with pytest.raises(EventFileError, match="missing columns 'a', 'b'"):
        load_events_csv(p, x_col="a", y_col="b", time_col="datum")


def test_unparsable_time_names_the_line(tmp_path: Path) -> None:
    p = write(tmp_path, "x,y,t\n136000,455000,2024-01-01\n136000,455000,gisteren\n")
    with pytest.raises(EventFileError, match=r"1 of 2 values cannot be read.*line 3: 'gisteren'"):
        load_events_csv(p, x_col="x", y_col="y", time_col="t")
    with pytest.raises(EventFileError, match="with format '%d-%m-%Y'"):
        load_events_csv(p, x_col="x", y_col="y", time_col="t", time_format="%d-%m-%Y")
    q = write(tmp_path, "x,y,t\n136000,455000,\n", "empty.csv")
    with pytest.raises(EventFileError, match="empty on 1 of 1 rows"):
        load_events_csv(q, x_col="x", y_col="y", time_col="t")


def test_bad_and_missing_coordinates(tmp_path: Path) -> None:
    p = write(tmp_path, "x,y,t\n136000,455000,2024-01-01\nabc,455000,2024-01-02\n")
    with pytest.raises(EventFileError, match=r"'x': 1 values are not numbers.*line 3: 'abc'"):
        load_events_csv(p, x_col="x", y_col="y", time_col="t")
    q = write(tmp_path, "x,y,t\n136000,455000,2024-01-01\n,,2024-01-02\n", "blank.csv")
    ev = load_events_csv(q, x_col="x", y_col="y", time_col="t")
    assert len(ev) == 1 and "1 rows without coordinates skipped" in ev.notes[0]
    with pytest.raises(EventFileError, match="1 rows have no coordinates"):
        load_events_csv(q, x_col="x", y_col="y", time_col="t", missing_coordinates="error")


def test_semicolons_decimal_commas_and_dutch_dates(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "x;y;datum;soort\n136000,5;455000,25;31-12-2023 23:30;Inbraak\n"
        "136100;455100;01-01-2024 01:00;Fietsdiefstal\n",
    )
    ev = load_events_csv(
        p, x_col="x", y_col="y", time_col="datum", type_col="soort", types=["inbraak"]
    )
    assert len(ev) == 1
    assert ev.x[0] == 136000.5 and ev.y[0] == 455000.25
    assert ev.t[0] == np.datetime64("2023-12-31T23:30:00")
    with pytest.raises(EventFileError, match="Zakkenrollen do not occur"):
        load_events_csv(
            p, x_col="x", y_col="y", time_col="datum", type_col="soort", types=["Zakkenrollen"]
        )


def test_mapping_must_be_complete(tmp_path: Path) -> None:
    p = write(tmp_path, "x,y,t\n136000,455000,2024-01-01\n")
    with pytest.raises(EventFileError, match="either --x-col/--y-col"):
        load_events_csv(p, time_col="t")
    with pytest.raises(EventFileError, match="both --x-col and --y-col"):
        load_events_csv(p, x_col="x", time_col="t")
    with pytest.raises(EventFileError, match="no such file"):
        load_events_csv(tmp_path / "nope.csv", x_col="x", y_col="y", time_col="t")


def test_event_set_from_arrays_and_slicing() -> None:
    ev = EventSet.from_arrays(
        [1.0, 2.0, 3.0],
        [1.0, 2.0, 3.0],
        ["2024-01-03", "2024-01-01", "2024-01-02T12:00"],
    )
    assert ev.resolution == "time"
    assert len(ev.before(date(2024, 1, 2))) == 1
    assert len(ev.between(date(2024, 1, 2), date(2024, 1, 3))) == 1
    assert ev.period == (date(2024, 1, 1), date(2024, 1, 3))
    # Aware datetimes (registrations) become local wall-clock time.
    aware = datetime(2024, 6, 1, 22, 30, tzinfo=UTC)
    local = EventSet.from_arrays([1.0], [1.0], [aware], tz="Europe/Amsterdam")
    assert local.t[0] == np.datetime64("2024-06-02T00:30:00")
    assert EventSet.from_arrays([1.0], [1.0], [aware]).t[0] == np.datetime64("2024-06-01T22:30")


def test_spans() -> None:
    assert Span.parse("14") == Span.days(14)
    assert Span.parse("2W") == Span.days(14)
    assert Span.parse("1M") == Span.months(1)
    assert Span.months(1).add(date(2018, 1, 31)) == date(2018, 2, 28)
    assert Span.months(1).sub(date(2018, 3, 1)) == date(2018, 2, 1)
    assert Span.days(14).add(date(2024, 1, 1), 2) == date(2024, 1, 29)
    for bad in ("0", "-1", "x", "1Y"):
        with pytest.raises(ValueError):
            Span.parse(bad)
