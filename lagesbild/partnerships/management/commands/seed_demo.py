"""`manage.py seed_demo`: the demo partnership, loaded once; prints the demo accounts."""

from django.core.management.base import BaseCommand

from lagesbild.demo.seed import (
    approve_demo_picture,
    approve_demo_quarter,
    compute_demo_pictures,
    seed_demo,
)
from lagesbild.demo.two_factor import enrol_demo_apps


class Command(BaseCommand):
    help = "Create the demo partnership 'EST Sollentuna' (kept if it exists) and print accounts."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=float, default=2.25, help="years of incident history")
        parser.add_argument("--scale", type=float, default=1.0, help="multiplies incident rates")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--name", default="EST Sollentuna")
        parser.add_argument("--slug", default="est-sollentuna")
        parser.add_argument(
            "--no-pictures",
            action="store_true",
            help="do not compute the running and last two weeks' pictures now "
            "(the worker does on demand) nor approve the last complete week's",
        )

    def handle(self, *args, **options):
        result = seed_demo(
            name=options["name"],
            slug=options["slug"],
            years=options["years"],
            scale=options["scale"],
            seed=options["seed"],
        )
        verb = "Skapade" if result.created else "Behåller befintlig"
        self.stdout.write(
            f"{verb} samverkan '{result.partnership.name}' med {result.incidents} händelser."
        )
        if not options["no_pictures"]:
            # The first picture opens ready, not "beräknas…" while the worker catches up.
            for iso, seconds in compute_demo_pictures(result.partnership):
                state = "redan beräknad" if seconds is None else f"beräknad på {seconds:.1f} s"
                self.stdout.write(f"Lägesbilden {iso}: {state}.")
            for approved in (
                approve_demo_picture(result.partnership),
                approve_demo_quarter(result.partnership),
            ):
                if approved is not None:
                    self.stdout.write(f"Lägesbilden {approved.period} är godkänd (gästen ser den).")
        if result.accounts:
            self.stdout.write("Demokonton (användarnamn: lösenord):")
            for username, password in result.accounts.items():
                self.stdout.write(f"  {username}: {password}")
            self.stdout.write("Lösenorden sparas i var/demo_accounts.json.")
            apps = enrol_demo_apps(result.accounts)
            if apps:
                self.stdout.write(
                    f"{', '.join(sorted(apps))} loggar in med tvåstegsverifiering. Koden just nu: "
                    "`.venv/bin/python manage.py demo_code`, eller lägg in nyckeln i en "
                    "autentiseringsapp (var/demo_two_factor.json):"
                )
                for username, secret in sorted(apps.items()):
                    self.stdout.write(f"  {username}: {secret}")
