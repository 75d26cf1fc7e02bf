from lagesbild.partnerships.access import ROLE_RANK, current_membership


def membership(request):
    """The current membership and role rank for the navigation of every page."""
    current = current_membership(request) if hasattr(request, "user") else None
    return {
        "membership": current,
        "role_rank": ROLE_RANK[current.role] if current else 0,
    }
