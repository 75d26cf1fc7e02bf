"""`manage.py demo_code [USERNAME ...]`: the code the demo accounts' authenticator apps show
now, for logging in to the demo without an app of your own."""

from django.core.management.base import BaseCommand, CommandError

from lagesbild.demo.two_factor import current_code, stored_secrets


class Command(BaseCommand):
    help = "Print the current two-factor code of demo accounts (only those made by seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="default: every demo account with an app")

    def handle(self, *args, **options):
        usernames = options["usernames"] or sorted(stored_secrets())
        if not usernames:
            raise CommandError("Inga demokonton med autentiseringsapp (kör make demo först).")
        for username in usernames:
            code = current_code(username)
            if code is None:
                raise CommandError(f"{username} är inget demokonto med autentiseringsapp.")
            self.stdout.write(f"{username}: {code}")
