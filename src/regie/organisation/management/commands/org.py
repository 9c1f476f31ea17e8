from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regie.organisation import selectors, services
from regie.organisation.geodata import RD, WGS84
from regie.organisation.importer import ImportFormatError, read_structure_file
from regie.organisation.models import BaseTeam, Neighbourhood


class Command(BaseCommand):
    help = "Organisation reference data: load, import-structure, summary, locate."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "load",
            help="load units, municipalities, neighbourhoods and a "
            "generated district/base-team structure",
        )
        load.add_argument(
            "--force",
            action="store_true",
            help="regenerate even when loaded (refused when staff are attached)",
        )
        imp = sub.add_parser(
            "import-structure", help="replace districts and base teams from a CSV or GeoJSON file"
        )
        imp.add_argument("file", type=Path)
        sub.add_parser("summary", help="print counts and base-team population range")
        loc = sub.add_parser("locate", help="which neighbourhood/base team holds a coordinate")
        loc.add_argument("x", type=float)
        loc.add_argument("y", type=float)
        loc.add_argument("--crs", default=RD, choices=[RD, WGS84])

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "load":
                report = services.load_reference(force=options["force"])
                verb = "loaded" if report.created else "already loaded"
                self.stdout.write(
                    f"organisation {verb}: {report.units} units, {report.districts} districts, "
                    f"{report.base_teams} base teams, {report.municipalities} municipalities, "
                    f"{report.neighbourhoods} neighbourhoods"
                )
            elif action == "import-structure":
                wijken = [
                    (n.code, n.municipality.code, n.geometry)
                    for n in Neighbourhood.objects.select_related("municipality")
                ]
                rows = read_structure_file(options["file"], wijken)
                report = services.import_structure(rows)
                self.stdout.write(
                    f"structure imported: {report.districts} districts, "
                    f"{report.base_teams} base teams"
                )
            elif action == "summary":
                pops = sorted(BaseTeam.objects.values_list("population", flat=True))
                report = services._report(created=False)
                out = {
                    **report.__dict__,
                    "base_team_population": {
                        "min": pops[0] if pops else None,
                        "max": pops[-1] if pops else None,
                        "median": pops[len(pops) // 2] if pops else None,
                    },
                }
                out.pop("created")
                self.stdout.write(json.dumps(out, indent=2))
            elif action == "locate":
                p = selectors.locate(options["x"], options["y"], options["crs"])
                if p is None:
                    raise CommandError("point lies outside every municipality", returncode=2)
                self.stdout.write(
                    json.dumps(
                        {
                            "neighbourhood": p.neighbourhood.code if p.neighbourhood else None,
                            "municipality": p.municipality.code,
                            "base_team": p.base_team.code if p.base_team else None,
                            "district": p.district.code if p.district else None,
                            "unit": p.unit.code,
                        }
                    )
                )
        except (services.OrganisationError, ImportFormatError, ValueError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
