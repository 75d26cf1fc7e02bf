"""`manage.py create_api_token --partnership SLUG --user USERNAME --name NAME
[--scope read|read_write] [--days N]`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lagesbild.api.models import ApiToken
from lagesbild.api.services import issue_token
from lagesbild.partnerships.models import Membership


class Command(BaseCommand):
    help = "Issue an API token acting as a member; the token is printed once."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", required=True)
        parser.add_argument("--user", required=True)
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument(
            "--scope",
            choices=ApiToken.Scope.values,
            default=ApiToken.Scope.READ,
            help="read (default) or read_write",
        )
        parser.add_argument(
            "--days", type=int, default=settings.API_TOKEN_DAYS, help="days until it expires"
        )

    def handle(self, *args, **options):
        membership = Membership.objects.filter(
            partnership__slug=options["partnership"], user__username=options["user"], active=True
        ).first()
        if membership is None:
            raise CommandError("Ingen aktiv medlem med det användarnamnet i den samverkan.")
        try:
            _token, raw = issue_token(
                actor=None,
                membership=membership,
                name=options["name"],
                scope=options["scope"],
                days=options["days"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(raw)
