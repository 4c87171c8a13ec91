"""The signed-in landing page: what each person has to do or read, across the apps."""
