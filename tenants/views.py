from django.shortcuts import render

from tenants.models import Hub


def platform_home(request):
    hubs = Hub.objects.live().prefetch_related("domains").order_by("name")
    return render(request, "tenants/platform_home.html", {"hubs": hubs})
