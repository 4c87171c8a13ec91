"""Small helpers below every app: download responses and numbers read from requests. No models, no app imports."""
