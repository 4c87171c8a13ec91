# Action plans (issue 5) are not built yet.
