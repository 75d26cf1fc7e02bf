"""`manage.py create_api_token --partnership SLUG --user USERNAME --name NAME`."""

from django.core.management.base import BaseCommand, CommandError

from lagesbild.api.models import ApiToken
from lagesbild.audit.record import record
from lagesbild.partnerships.models import Membership


class Command(BaseCommand):
    help = "Issue an API token acting as a member; the token is printed once."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", required=True)
        parser.add_argument("--user", required=True)
        parser.add_argument("--name", required=True, help="what the token is for")

    def handle(self, *args, **options):
        membership = Membership.objects.filter(
            partnership__slug=options["partnership"], user__username=options["user"], active=True
        ).first()
        if membership is None:
            raise CommandError("Ingen aktiv medlem med det användarnamnet i den samverkan.")
        token, raw = ApiToken.issue(membership, options["name"])
        record(
            actor=None,
            action="api_token.create",
            obj=token,
            partnership=membership.partnership,
            summary=options["name"],
        )
        self.stdout.write(raw)
