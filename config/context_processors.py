from django.conf import settings


def site(request):
    # Each language is named in itself ("English", "繁體中文"), whatever the interface language.
    return {"SITE_NAME": settings.SITE_NAME, "LANGUAGE_CHOICES": settings.LANGUAGES}
