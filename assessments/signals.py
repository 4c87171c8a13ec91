"""What other apps may hear about an assessment, without assessments knowing them (reports queue the year's PDFs)."""

from django.dispatch import Signal

assessment_submitted = Signal()  # sent with assessment_id and user_id (who signed it off) once the sign-off has committed
