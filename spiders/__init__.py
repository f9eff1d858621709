"""Crawling: site declarations (``spiders/sites``), one generic Scrapy spider, and a run API.

``spiders.run.crawl`` is the entry point for the CLI and the DAG; it runs Scrapy in a child
process (Twisted's reactor cannot be restarted in one process) and writes every fetched page to
the warehouse's raw layer.
"""
