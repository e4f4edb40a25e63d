"""Taking part in an idea: comments and replies, support, following, reports and their
moderation. A concept of its own beside the ideas themselves, in the app's usual file set:
services.py (the changes and the idea page's context), forms.py, views.py (pages and form
posts; their paths are listed in views.urlpatterns) and api.py (mounted into the ideas router).
The moderation of comments is ideas/moderation.py."""
