"""HTML surfaces of the web explorer: pages, Linked Data pages, their JSON data, templates, i18n."""
