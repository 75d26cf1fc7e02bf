"""A user's data extract for an administrator answering a request from someone who cannot
log in (a closed account): the same JSON as 'Ladda ner mina uppgifter' on the account page."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lagesbild.dataprotection.extract import user_extract


class Command(BaseCommand):
    help = "Print a user's own data (account, roles, reports, audit entries) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        data = user_extract(user=user, via="command")
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
