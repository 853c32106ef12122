"""The Streamlit app's cached loaders and render helpers; the page scripts live in the project's app/ folder."""
