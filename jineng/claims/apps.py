from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jineng.claims"
    label = "claims"
    verbose_name = "待遇申领与拨付"

    def ready(self) -> None:
        from jineng.certificates.signals import certificate_revoked
        from jineng.claims.receivers import flag_claims_on_revoked_certificate

        certificate_revoked.connect(flag_claims_on_revoked_certificate, dispatch_uid="claims")
