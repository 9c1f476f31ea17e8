"""Point lookup speed: Regie's vectorised Locator against a naive reference, same run.

The reference is what one would write without a spatial index: for each point, test every
neighbourhood polygon with ``contains`` (prepared geometries). Both run on the same random
points inside the Netherlands' bounding box; the script prints points per second for each and
the ratio, and checks that both agree on every point the reference resolved.

    .venv/bin/python benchmarks/locate.py [--points 200000] [--reference-points 2000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import shapely

from regie.organisation.geodata import load_reference, to_rd
from regie.organisation.lookup import Locator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--reference-points", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    ref = load_reference()
    locator = Locator.from_reference(ref)
    rng = np.random.default_rng(args.seed)
    xs = rng.uniform(13_000, 278_000, args.points)
    ys = rng.uniform(306_000, 620_000, args.points)

    t0 = time.perf_counter()
    fast = locator.locate_many(xs, ys)
    fast_s = time.perf_counter() - t0

    wijken = [(n.code, to_rd(n.geometry_wgs84)) for n in ref.neighbourhoods]
    for _, g in wijken:
        shapely.prepare(g)
    n_ref = min(args.reference_points, args.points)
    t0 = time.perf_counter()
    naive: list[str | None] = []
    for x, y in zip(xs[:n_ref], ys[:n_ref], strict=True):
        p = shapely.Point(x, y)
        naive.append(next((code for code, g in wijken if g.contains(p)), None))
    ref_s = time.perf_counter() - t0

    agree = sum(
        1
        for a, b in zip(fast[:n_ref], naive, strict=True)
        if b is None or (a is not None and a.neighbourhood_code == b)
    )
    fast_rate = args.points / fast_s
    ref_rate = n_ref / ref_s
    print(f"locator  : {args.points:>9,} points in {fast_s:7.3f} s = {fast_rate:>12,.0f} pts/s")
    print(f"reference: {n_ref:>9,} points in {ref_s:7.3f} s = {ref_rate:>12,.0f} pts/s")
    print(f"speed-up : {fast_rate / ref_rate:,.0f}x")
    print(f"agreement: {agree}/{n_ref} points resolved by the reference")


if __name__ == "__main__":
    main()
