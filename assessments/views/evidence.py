"""Evidence behind a score: files and links, added and removed while the assessment is a draft, downloaded by those who may see it."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.storage import STORAGE_ERRORS

from ..access import can_edit_assessment, get_assessment_for_user
from ..evidence import TYPES as EVIDENCE_TYPES
from ..forms import EvidenceForm
from ..models import Evidence, Score
from ..services import NotEditable, NotValid, evidence_add, evidence_remove

logger = logging.getLogger(__name__)


@login_required
@require_http_methods(["GET", "POST"])
def objective_evidence(request, pk, number):
    """The files and links behind one objective's score; officers and heads add them while the assessment is a draft."""
    assessment = get_assessment_for_user(request, pk, edit=request.method == "POST")
    score = get_object_or_404(Score.objects.select_related("objective"), assessment=assessment, objective__number=number)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evidence_add(score_id=score.pk, user=request.user, title=data["title"], url=data.get("url", ""), upload=data.get("file"), kind=getattr(form, "kind", ""))
        except NotEditable as error:
            messages.error(request, f"{error} Nothing was changed.")
            return redirect("assessments:evidence", pk=pk, number=number)
        except NotValid as error:
            for field, message in error.problems.items():
                form.add_error(field, message)
        else:
            messages.success(request, f"Added “{data['title']}”.")
            return redirect("assessments:evidence", pk=pk, number=number)
    if form.errors and request.FILES.get("file") and "file" not in form.errors:
        # A browser never keeps a chosen file when the page comes back: say so where the file is chosen.
        form.add_error("file", f"Choose “{request.FILES['file'].name}” again: the page could not keep it while the other problems are fixed.")
    context = {"assessment": assessment, "score": score, "items": score.evidence_items.select_related("uploaded_by"), "form": form, "can_edit": can_edit_assessment(request.user, assessment)}
    return render(request, "assessments/evidence.html", context)


@login_required
@require_POST
def evidence_delete(request, pk, item):
    assessment = get_assessment_for_user(request, pk, edit=True)
    evidence = get_object_or_404(Evidence.objects.select_related("score__objective"), pk=item, score__assessment=assessment)
    try:
        evidence_remove(evidence_id=evidence.pk, user=request.user)
    except NotEditable as error:
        messages.error(request, f"{error} Nothing was changed.")
    else:
        messages.success(request, f"Removed “{evidence.title}”.")
    return redirect("assessments:evidence", pk=pk, number=evidence.score.objective.number)


@login_required
@require_GET
def evidence_download(request, pk, item):
    """Only to those who may see the assessment; always as a download, never rendered in our origin."""
    assessment = get_assessment_for_user(request, pk)
    evidence = get_object_or_404(Evidence, pk=item, score__assessment=assessment)
    if evidence.is_link:
        raise Http404("This evidence is a link.")
    content_type = EVIDENCE_TYPES[evidence.kind][0]
    try:
        stored = evidence.file.open("rb")
        stored.read(1)  # a remote store is reached here, not halfway through the response
        stored.seek(0)
    except STORAGE_ERRORS:
        logger.exception("Could not read the stored evidence file of evidence %s", evidence.pk)
        return render(request, "assessments/evidence_unavailable.html", {"assessment": assessment, "evidence": evidence}, status=503)
    response = FileResponse(stored, as_attachment=True, filename=evidence.original_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
