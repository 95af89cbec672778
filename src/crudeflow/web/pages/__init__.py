"""The app's pages, one module each: PATH, TITLE, `layout(context)` and `register(app, context)`."""
