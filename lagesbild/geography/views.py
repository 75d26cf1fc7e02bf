"""Geography endpoints used by the forms and maps: area outlines and place search."""

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
