"""The demo council (`seed_demo`) and the national benchmark data set (`generate_dataset`): data builders above every other app."""
