# The two commands of README.md: `make run` and `make test`.
.PHONY: run test setup lint demo-reset

run:
	bin/setup
	DEBUG=1 .venv/bin/python manage.py migrate --no-input
	DEBUG=1 .venv/bin/python manage.py seed_demo
	bin/run

test:
	bin/setup test
	.venv/bin/python -m pytest $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check .

# Start the demo again: the demo councils' assessments, plans and invitations rebuilt from the seeds.
demo-reset:
	bin/setup
	DEBUG=1 .venv/bin/python manage.py migrate --no-input
	DEBUG=1 .venv/bin/python manage.py seed_demo --reset
