"""
WSGI config for config project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules) lives as long as the process.
# Frozen, the collector no longer walks it at every full collection, which a page building
# tens of thousands of objects (a large class's progress grid) sets off: measured at 3,000
# students, see bench/RESULTS.md. Collected first, so no garbage of the start-up is frozen.
gc.collect()
gc.freeze()
