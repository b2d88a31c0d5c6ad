"""Sizing that reads what each deliverable says: counted units (`units`), the firm's
productivity tables (`rates`), the project type (`project_type`) and the whole-project
phases derived once from this project's own build effort (`plan`)."""
