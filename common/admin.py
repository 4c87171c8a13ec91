"""Admin pages that only read: for models whose every change goes through a service that keeps their rules."""

from django.core.exceptions import PermissionDenied


class ReadOnly:
    """No add, change, delete or revert from the history: the admin shows the rows (and their history) as they are."""

    read_only_reason = "This is changed only in the app, where its rules are checked."

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # viewing stays (has_view_permission)

    def has_delete_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":  # simple-history would save a revert for anyone who may view the history
            raise PermissionDenied(self.read_only_reason)
        return super().history_form_view(request, object_id, version_id, extra_context)
