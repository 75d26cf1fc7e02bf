"""The area pages: a list of the partnership's areas and, per area, everything known about
it on one screen (area_page.py)."""

from django.shortcuts import render

from lagesbild.geography.queries import areas
from lagesbild.partnerships.access import Role, member_required
from lagesbild.pictures import area_page


@member_required(Role.MEMBER)
def area_list(request):
    items = areas(request.membership).select_related("parent").order_by("name")
    return render(request, "pictures/areas.html", {"nav": "areas", "areas": items})


@member_required(Role.MEMBER)
def area_detail(request, pk: int):
    area = area_page.get_area(request.membership, pk)
    context = area_page.overview(request.membership, area)
    return render(request, "pictures/area.html", {"nav": "areas", **context})
