"""The worker's side of outgoing e-mail: a retry of a send that failed."""

from django.tasks import task


@task()
def deliver_mail(mail_id):
    from .services import mail_deliver

    mail_deliver(mail_id=mail_id)
