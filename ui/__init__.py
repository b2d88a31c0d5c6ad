"""Streamlit-side helpers shared by app.py and pages/: session state, cached resources, widgets."""
