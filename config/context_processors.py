from django.conf import settings

from courseware.simplified import chinese_html_lang


def site(request):
    # Each language is named in itself ("English", "繁體中文"), whatever the interface language.
    # ZH_LANG: the lang attribute of the Chinese content, in the script the page shows it in.
    return {
        "SITE_NAME": settings.SITE_NAME,
        "LANGUAGE_CHOICES": settings.LANGUAGES,
        "ZH_LANG": chinese_html_lang(),
        # Where the language switch returns (the unit page fills it in: courseware.layout).
        "current_path": request.get_full_path(),
    }
