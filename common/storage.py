"""What an unreachable file store raises, whichever backend settings.STORAGES["evidence"] names: a folder (OSError),
Azure Blob Storage (azure.core's AzureError) or S3 (botocore's errors). Callers turn these into a plain message."""


def _errors():
    errors = [OSError]
    try:
        from azure.core.exceptions import AzureError

        errors.append(AzureError)
    except ImportError:
        pass
    try:
        from botocore.exceptions import BotoCoreError, ClientError

        errors += [BotoCoreError, ClientError]
    except ImportError:
        pass
    return tuple(errors)


STORAGE_ERRORS = _errors()
