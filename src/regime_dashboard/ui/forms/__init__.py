"""One module per admin form (Streamlit). Pages import the form module they use directly
(`from regime_dashboard.ui.forms.plan import plan_form`): nothing is re-exported here, so a
page's line budget counts the forms it uses (tests/unit/test_layers.py)."""
