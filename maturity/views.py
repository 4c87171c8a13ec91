from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .forms import FrameworkFileForm
from .levels import Level
from .loading import FrameworkFileError, framework_load, parse_framework_file
from .models import Framework


@login_required
@require_GET
def framework_list(request):
    return render(request, "maturity/framework_list.html", {"frameworks": Framework.objects.with_counts()})


@login_required
@require_GET
def framework_detail(request, code):
    framework = get_object_or_404(Framework, code=code)
    return render(
        request,
        "maturity/framework_detail.html",
        {"framework": framework, "sections": framework.sections_with_objectives(), "levels": list(Level)},
    )


@staff_member_required
@require_http_methods(["GET", "POST"])
def framework_upload(request):
    form = FrameworkFileForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            result = framework_load(parse_framework_file(form.cleaned_data["file"]))
        except FrameworkFileError as exc:
            problems = exc.problems
        else:
            state = "created" if result.created else ("updated" if result.changed else "unchanged: it was already loaded")
            messages.success(request, f"{result.framework.short_name} {state}.")
            return redirect("maturity:detail", code=result.framework.code)
    return render(request, "maturity/framework_upload.html", {"form": form, "problems": problems})
