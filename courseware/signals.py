"""What courseware announces to the apps built on it (which it never imports)."""

from django.dispatch import Signal

# Sent inside the course loader's transaction, after every passage has its HTML and words:
# apps that derive data from the content (the word dictionary) rebuild it here.
# Arguments: course.
course_content_loaded = Signal()
