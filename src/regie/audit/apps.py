from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "regie.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from regie.audit.services import register_sqlite_functions

        connection_created.connect(
            register_sqlite_functions, dispatch_uid="regie_audit_sqlite_functions"
        )
