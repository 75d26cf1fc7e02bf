"""Geography endpoints used by the forms and maps: area outlines, place search and
the places the reporting form keeps for use without a connection."""

from django.http import JsonResponse
from django.shortcuts import render

from lagesbild.geography import queries
from lagesbild.partnerships.access import Role, member_required


@member_required(Role.REPORTER)
def areas_geojson(request):
    return JsonResponse(queries.areas_geojson(request.membership))


@member_required(Role.REPORTER)
def search(request):
    """Areas and places matching the text typed in the reporting form (an htmx fragment)."""
    text = request.GET.get("place_query") or request.GET.get("q") or ""
    results = queries.search_places(request.membership, text)
    return render(request, "geography/_search_results.html", {"results": results, "text": text})


@member_required(Role.REPORTER)
def offline_places(request):
    """All of the partnership's places and areas, which the reporting form keeps for a
    search without a connection (static/js/report-queue.js)."""
    return JsonResponse({"results": queries.place_choices(request.membership)})
