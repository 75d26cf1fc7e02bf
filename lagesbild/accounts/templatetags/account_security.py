"""The login state of a member on the coordinator's member page: locked out or not, second
factor or not, with the buttons to unlock and to reset."""

from django import template
from django_otp.plugins.otp_totp.models import TOTPDevice

from lagesbild.accounts import services

register = template.Library()


@register.inclusion_tag("accounts/_member_security.html", takes_context=True)
def member_security(context, member):
    user = member.user
    return {
        "member": member,
        "locked": bool(services.locked_usernames([user.get_username()])),
        "has_app": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "administrator": user.is_staff or user.is_superuser,
        "csrf_token": context.get("csrf_token"),
    }
